package org.bratscv.jobs.cli;

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
      ModelCommand.class,
    })
public final class BratsCv implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    // Commands that load libtorch need ONEDNN_MAX_CPU_ISA in the environment on AVX-512 CPUs.
    java.util.OptionalInt child = Relauncher.relaunchIfNeeded(args, BratsCv.class);
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    System.exit(new CommandLine(new BratsCv()).execute(args));
  }
}
