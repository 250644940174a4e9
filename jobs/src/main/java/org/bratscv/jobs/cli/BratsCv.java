package org.bratscv.jobs.cli;

import org.bratscv.jobs.io.ForklessLocalFileSystem;
import org.bratscv.jobs.io.RunLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code brats-cv} command line: one subcommand per stage or tool. */
@Command(
    name = "brats-cv",
    mixinStandardHelpOptions = true,
    version = "brats-cv 0.1.0",
    description = "BraTS brain-tumor segmentation with cross-validated 3D U-Nets on Apache Spark.",
    subcommands = {
      CommandLine.HelpCommand.class,
      BenchCommand.class,
      SynthCommand.class,
      InspectCommand.class,
      EvaluateCaseCommand.class,
      ModelCommand.class,
      DemoCommand.class,
      CvCommand.class,
      SweepCommand.class,
      SegmentCommand.class,
      StageCommands.Preprocess.class,
      StageCommands.Folds.class,
      StageCommands.Train.class,
      StageCommands.Infer.class,
      StageCommands.Evaluate.class,
      ReportCommand.class,
      CheckCommand.class,
    })
public final class BratsCv implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    // Commands that load libtorch need their allocator (and on some AVX-512 CPUs
    // ONEDNN_MAX_CPU_ISA)
    // in the environment, and commands that hold whole cases a heap sized for them: both are set
    // before the JVM starts, so such a command runs in a child JVM.
    java.util.OptionalInt child = Relauncher.relaunchIfNeeded(args, BratsCv.class);
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line with brats-cv's error reporting: a failing command prints one line naming the
   * command and the problem (the stack trace only with BRATS_CV_DEBUG=1) and exits with 2; a run
   * refused because another run holds its output root's lock prints one line naming that run and
   * exits with 4.
   */
  public static CommandLine commandLine() {
    // before any command touches a file: Hadoop keeps the first file: file system it makes
    ForklessLocalFileSystem.installDefault();
    CommandLine cmd = new CommandLine(new BratsCv());
    // check takes another command's arguments, options included, and parses them with that command
    cmd.getSubcommands().get(CheckCommand.NAME).setUnmatchedOptionsArePositionalParams(true);
    cmd.setExecutionExceptionHandler(
        (ex, cl, parsed) -> {
          if (ex instanceof RunLock.HeldException) {
            cl.getErr().println("brats-cv " + cl.getCommandName() + ": " + ex.getMessage());
            return Runs.LOCKED;
          }
          if ("1".equals(System.getenv("BRATS_CV_DEBUG"))) {
            ex.printStackTrace();
          }
          String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
          cl.getErr().println("brats-cv " + cl.getCommandName() + ": error: " + msg);
          return 2;
        });
    return cmd;
  }
}
