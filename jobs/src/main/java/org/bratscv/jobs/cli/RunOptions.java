package org.bratscv.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bratscv.jobs.config.ConfigFile;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.HadoopConf;
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
      description =
          "Run configuration (YAML): a local path or a file:, hdfs: or s3a: URI, e.g."
              + " conf/brats2020-cv.yaml.")
  String config;

  @Option(
      names = "--set",
      description =
          "Override one configuration key, e.g. --set pipelines.A.epochs=10 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Mixin DeviceOption device = new DeviceOption();

  RunConfig load() {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(device.overrides());
    return RunConfig.load(ConfigFile.of(config), HadoopConf.forDriver(Map.of()), all);
  }
}
