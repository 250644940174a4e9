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
      InspectCommand.class,
    })
public final class BratsCv implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BratsCv()).execute(args));
  }
}
