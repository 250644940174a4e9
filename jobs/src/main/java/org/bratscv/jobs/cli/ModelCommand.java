package org.bratscv.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code brats-cv model ...}: tools about the network itself (no data, no Spark). */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description =
        "Network tools: layer table and parameter count, one forward pass of reference weights.",
    subcommands = {ModelSummaryCommand.class, ModelRunCommand.class})
public final class ModelCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
