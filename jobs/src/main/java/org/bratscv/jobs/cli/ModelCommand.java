package org.bratscv.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code brats-cv model ...}: tools about the network and its weights (no data, no Spark): summary,
 * run, export, import.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description =
        "Network tools: layer table and parameter count; trained ensembles in and out as"
            + " packages of reference-named safetensors; one forward pass of such weights.",
    subcommands = {
      ModelSummaryCommand.class,
      ModelRunCommand.class,
      ModelExportCommand.class,
      ModelImportCommand.class
    })
public final class ModelCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
