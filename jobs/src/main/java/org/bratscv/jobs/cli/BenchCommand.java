package org.bratscv.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code brats-cv bench ...}: rerunnable speed measurements. Each subcommand prints a rate or a
 * time, and with {@code --json} one JSON object, so anyone can compare machines and versions.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks: NIfTI decoding, HD95 metrics, model steps, ensemble inference,"
            + " preprocessing.",
    subcommands = {
      BenchNiftiCommand.class,
      BenchHd95Command.class,
      BenchModelCommand.class,
      BenchInferCommand.class,
      BenchPreprocessCommand.class
    })
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
