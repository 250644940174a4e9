package org.bratscv.model.engine;

import ai.djl.Device;
import java.util.Locale;

/**
 * Parses a device as users write it on the command line or in a config ({@code cpu}, {@code gpu},
 * {@code gpu:N}, {@code cuda:N} or a bare GPU index {@code N}, e.g. the address Spark hands a task)
 * into a DJL {@link Device}, and decides which device a task uses ({@link #resolve}).
 */
public final class DeviceChoice {
  /**
   * The setting that lets the machine decide: the task's Spark GPU, else GPU 0 if any, else CPU.
   */
  public static final String AUTO = "auto";

  private DeviceChoice() {}

  /**
   * Checks a {@code compute.device} / {@code --device} setting: {@code auto}, {@code cpu}, {@code
   * gpu}, {@code gpu:N} (or {@code cuda:N}, {@code N}); returns it trimmed and lower-cased.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static String checkSetting(String setting) {
    String t = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
    if (!t.equals(AUTO)) {
      try {
        parse(t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "device '" + setting + "' is not one of auto, cpu, gpu, gpu:N", e);
      }
    }
    return t;
  }

  /**
   * The device a task computes on.
   *
   * <ul>
   *   <li>{@code cpu}: the CPU, always.
   *   <li>When Spark's resource scheduling gave the task a GPU ({@code sparkDevice} = {@code
   *       gpu:N}, a GPU cluster), that GPU: Spark owns the addresses.
   *   <li>{@code auto}: GPU 0 when the engine sees one (a workstation in local mode), else the CPU.
   *   <li>{@code gpu}, {@code gpu:N}: that GPU, or a clear error when the engine does not see it.
   * </ul>
   *
   * @param setting {@code compute.device} ({@link #checkSetting})
   * @param sparkDevice the task's Spark resource, {@code gpu:N} or {@code cpu}
   * @param gpuCount GPUs the loaded engine sees
   */
  public static Device resolve(String setting, String sparkDevice, int gpuCount) {
    String t = checkSetting(setting);
    if (t.equals("cpu")) {
      return Device.cpu();
    }
    Device spark = parse(sparkDevice);
    if (spark.isGpu()) {
      return requireAvailable(spark, gpuCount);
    }
    if (t.equals(AUTO)) {
      return gpuCount > 0 ? Device.gpu(0) : Device.cpu();
    }
    return requireAvailable(parse(t), gpuCount);
  }

  public static Device parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("device is empty; use cpu, gpu, gpu:N or N");
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("cpu")) {
      return Device.cpu();
    }
    if (t.equals("gpu") || t.equals("cuda")) {
      return Device.gpu(0);
    }
    String index = t;
    if (t.startsWith("gpu:")) {
      index = t.substring(4);
    } else if (t.startsWith("cuda:")) {
      index = t.substring(5);
    }
    try {
      int n = Integer.parseInt(index.trim());
      if (n < 0) {
        throw new IllegalArgumentException(
            "device '" + text + "': GPU index must be >= 0; use cpu, gpu, gpu:N or N");
      }
      return Device.gpu(n);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "device '" + text + "' is not one of cpu, gpu, gpu:N or N", e);
    }
  }

  /** Fails with a clear message when {@code device} is a GPU the loaded engine cannot see. */
  public static Device requireAvailable(Device device, int gpuCount) {
    if (device.isGpu() && device.getDeviceId() >= gpuCount) {
      throw new IllegalStateException(
          "device "
              + device
              + " requested but the PyTorch engine sees "
              + gpuCount
              + " GPU(s); on a GPU machine point PYTORCH_LIBRARY_PATH, PYTORCH_VERSION and"
              + " PYTORCH_FLAVOR at a CUDA build of libtorch 2.7.1");
    }
    return device;
  }
}
