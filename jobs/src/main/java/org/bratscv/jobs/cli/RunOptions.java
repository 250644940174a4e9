package org.bratscv.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.jobs.config.RunConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}, repeatable {@code --set key=value} and {@code --device}, shared by the run
 * commands.
 */
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

  @Mixin DeviceOption device = new DeviceOption();

  RunConfig load() {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(device.overrides());
    return RunConfig.load(config, all);
  }
}
