package org.bratscv.model.infer;

import java.util.Locale;

/**
 * Numeric precision of inference. {@link #FP16} casts the networks and their inputs to float16 on a
 * GPU (about half the memory and faster tensor-core convolutions); probabilities are still summed
 * in float32. On a CPU float16 is ignored and float32 is used: libtorch's CPU conv3d in float16 is
 * slower than in float32 and some CPU kernels lack half support. bfloat16 is not offered: creating
 * any bfloat16 array aborts the JVM in DJL 0.36.
 */
public enum Precision {
  FP32,
  FP16;

  public static Precision parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "fp32", "float32", "32" -> FP32;
      case "fp16", "float16", "half", "16" -> FP16;
      default ->
          throw new IllegalArgumentException("precision '" + text + "' is not one of fp32, fp16");
    };
  }
}
