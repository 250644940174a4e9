package org.bratscv.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.SplittableRandom;

/**
 * Re-draws the parameters of an initialised block the way the paper's reference code initialises
 * EquiUnet, from a seed alone:
 *
 * <ul>
 *   <li>convolution weights (rank 5): Kaiming normal, fan_out mode, ReLU gain: {@code N(0, 2 / (out
 *       * kd * kh * kw))};
 *   <li>norm scale 1, shift 0;
 *   <li>everything the reference leaves at torch's defaults (convolution and Linear biases, the
 *       CBAM Linear weights): {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, which is what torch's
 *       default {@code kaiming_uniform_(a=sqrt(5))} and bias init draw.
 * </ul>
 *
 * Each parameter gets its own generator seeded from (seed, parameter path name), so the values do
 * not depend on thread scheduling, on libtorch's global generator, or on what else the JVM runs: a
 * retried Spark task builds the identical network.
 */
public final class SeededInitializer {
  private SeededInitializer() {}

  /** Overwrites every parameter of {@code block} (which must be initialised) from {@code seed}. */
  public static void apply(Block block, long seed) {
    PairList<String, Parameter> params = block.getParameters();
    for (Pair<String, Parameter> p : params) {
      Parameter param = p.getValue();
      NDArray array = param.getArray();
      Shape shape = array.getShape();
      int size = Math.toIntExact(shape.size());
      float[] values = new float[size];
      SplittableRandom rng = new SplittableRandom(mix(seed, p.getKey()));
      switch (param.getType()) {
        case GAMMA -> java.util.Arrays.fill(values, 1f);
        case BETA -> java.util.Arrays.fill(values, 0f);
        case WEIGHT -> {
          if (shape.dimension() == 5) {
            double std =
                Math.sqrt(2.0 / (shape.get(0) * shape.get(2) * shape.get(3) * shape.get(4)));
            for (int i = 0; i < size; i++) {
              values[i] = (float) (rng.nextGaussian() * std);
            }
          } else {
            uniform(values, rng, fanIn(shape));
          }
        }
        case BIAS -> uniform(values, rng, fanIn(weightOf(params, p.getKey())));
        default ->
            throw new IllegalStateException(
                "no initialisation rule for parameter "
                    + p.getKey()
                    + " of type "
                    + param.getType());
      }
      if (array.getDataType() != DataType.FLOAT32) {
        throw new IllegalStateException(
            "initialise in float32 (cast afterwards); parameter "
                + p.getKey()
                + " is "
                + array.getDataType());
      }
      array.set(values);
    }
  }

  private static void uniform(float[] values, SplittableRandom rng, long fanIn) {
    double bound = 1 / Math.sqrt(fanIn);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
  }

  /** Inputs feeding one output: in * kernel volume (conv) or in (linear). */
  private static long fanIn(Shape weight) {
    long fan = weight.get(1);
    for (int i = 2; i < weight.dimension(); i++) {
      fan *= weight.get(i);
    }
    return fan;
  }

  private static Shape weightOf(PairList<String, Parameter> params, String biasName) {
    if (!biasName.endsWith("bias")) {
      throw new IllegalStateException("bias parameter " + biasName + " has an unexpected name");
    }
    String weightName = biasName.substring(0, biasName.length() - 4) + "weight";
    Parameter w = params.get(weightName);
    if (w == null) {
      throw new IllegalStateException("bias " + biasName + " has no sibling " + weightName);
    }
    return w.getArray().getShape();
  }

  private static long mix(long seed, String name) {
    long h = seed * 0x9E3779B97F4A7C15L;
    for (int i = 0; i < name.length(); i++) {
      h = (h ^ name.charAt(i)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h;
  }
}
