package org.bratscv.model.engine;

import ai.djl.Device;
import java.util.Locale;

/**
 * Parses a device as users write it on the command line or in a config ({@code cpu}, {@code gpu},
 * {@code gpu:N}, {@code cuda:N} or a bare GPU index {@code N}, e.g. the address Spark hands a task)
 * into a DJL {@link Device}.
 */
public final class DeviceChoice {
  private DeviceChoice() {}

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
