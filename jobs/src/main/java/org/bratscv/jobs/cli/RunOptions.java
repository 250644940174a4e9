package org.bratscv.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.jobs.config.RunConfig;
import picocli.CommandLine.Option;

/** {@code --config FILE} and repeatable {@code --set key=value}, shared by the run commands. */
final class RunOptions {
  @Option(
      names = "--config",
      required = true,
      description = "Run configuration (YAML), e.g. conf/brats2020-cv.yaml.")
  Path config;

  @Option(
      names = "--set",
      description =
          "Override one configuration key, e.g. --set pipelines.A.epochs=10 (repeatable).")
  List<String> overrides = new ArrayList<>();

  RunConfig load() {
    return RunConfig.load(config, overrides);
  }
}
