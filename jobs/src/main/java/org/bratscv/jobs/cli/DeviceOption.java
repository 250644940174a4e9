package org.bratscv.jobs.cli;

import java.util.List;
import org.bratscv.model.engine.DeviceChoice;
import picocli.CommandLine.Option;

/**
 * {@code --device auto|cpu|gpu|gpu:N}, shared by the run commands: where training and inference
 * tasks compute; for {@code cv}, {@code sweep} and {@code demo} the same as {@code --set
 * compute.device=...}.
 */
final class DeviceOption {
  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      description =
          "auto (the GPU Spark gives a task, else GPU 0 when there is one, else the CPU), cpu,"
              + " gpu or gpu:N; in local mode the folds train in turn on the one GPU."
              + " Default: compute.device of the config (auto).")
  String device;

  /** The {@code --set} override it stands for (none when not given). */
  List<String> overrides() {
    return device == null ? List.of() : List.of("compute.device=" + device);
  }

  /** The setting for a command without a config ({@code segment}): auto when not given. */
  String setting() {
    return DeviceChoice.checkSetting(device == null ? DeviceChoice.AUTO : device);
  }
}
