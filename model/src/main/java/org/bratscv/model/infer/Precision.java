package org.bratscv.model.infer;

import ai.djl.Device;
import java.util.Locale;

/**
 * Numeric precision of inference. {@link #FP16} casts the networks' weights and their inputs to
 * float16 (norms stay float32, see {@link org.bratscv.model.net.HalfPrecision}): about half the
 * memory and faster tensor-core convolutions on a GPU; probabilities are still summed in float32.
 * libtorch 2.7.1 runs every op of EquiUnet in float16 on the CPU too, but more slowly than float32,
 * so the stages use {@link #on} to fall back to float32 on a CPU. bfloat16 is not offered: creating
 * any bfloat16 array aborts the JVM in DJL 0.36.
 */
public enum Precision {
  FP32,
  FP16;

  /**
   * The precision the stages use on {@code device}: this one on a GPU, {@link #FP32} on a CPU
   * (where float16 is slower, not faster).
   */
  public Precision on(Device device) {
    return device.isGpu() ? this : FP32;
  }

  public static Precision parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "fp32", "float32", "32" -> FP32;
      case "fp16", "float16", "half", "16" -> FP16;
      default ->
          throw new IllegalArgumentException("precision '" + text + "' is not one of fp32, fp16");
    };
  }
}
