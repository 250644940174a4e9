package org.bratscv.model.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.bratscv.model.engine.OneDnnConv;
import org.bratscv.model.optim.Autograd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NormTest {
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  @Test
  void defaultGroupsFollowTheReferenceRule() {
    assertEquals(16, GroupNorm.defaultGroups(48));
    assertEquals(16, GroupNorm.defaultGroups(768));
    assertEquals(4, GroupNorm.defaultGroups(4));
    assertEquals(1, GroupNorm.defaultGroups(1));
    // 24 = 16 + 8: largest power of two <= 16 dividing 24 is 8 -> 24 / 8 = 3 groups.
    assertEquals(3, GroupNorm.defaultGroups(24));
    // 40: 40 % 16 = 8 -> divisor 8 -> 5 groups.
    assertEquals(5, GroupNorm.defaultGroups(40));
  }

  @Test
  void groupsMustDivideChannels() {
    assertThrows(
        IllegalArgumentException.class,
        () -> GroupNorm.builder().setChannels(6).optGroups(4).build());
  }

  @Test
  void groupNormMatchesDoublePrecisionHandComputation() {
    checkAgainstDouble(GroupNorm.builder().setChannels(6).optGroups(2).build(), 2, 6, 2);
  }

  @Test
  void groupNormWithOneChannelPerGroupMatches() {
    checkAgainstDouble(GroupNorm.builder().setChannels(4).build(), 2, 4, 4);
  }

  @Test
  void instanceNormMatchesForOneAndSeveralSamples() {
    checkAgainstDouble(InstanceNorm.builder().setChannels(3).build(), 1, 3, 3);
    checkAgainstDouble(InstanceNorm.builder().setChannels(3).build(), 2, 3, 3);
  }

  /**
   * Gradients reach gamma and beta: for loss = sum(y * dy), dL/dbeta_c = sum of dy over channel c,
   * dL/dgamma_c = sum over channel c of normalised x times dy.
   */
  @Test
  void gradientsOfScaleAndShiftMatchHandComputation() {
    int n = 2;
    int c = 4;
    int groups = 2;
    Block norm = GroupNorm.builder().setChannels(c).optGroups(groups).build();
    Shape shape = new Shape(n, c, 2, 3, 2);
    norm.initialize(manager, DataType.FLOAT32, shape);
    float[] x = random(shape, 7);
    float[] dy = random(shape, 8);
    double[] xhat = normalised(x, n, c, groups, (int) (shape.size() / (n * c)), 1e-5);
    try (NDManager step = manager.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray in = step.create(x, shape);
      NDArray y =
          norm.forward(new ParameterStore(step, false), new NDList(in), true).singletonOrThrow();
      gc.backward(y.mul(step.create(dy, shape)).sum());
      Parameter gamma = norm.getParameters().get("gamma");
      Parameter beta = norm.getParameters().get("beta");
      float[] dGamma = gamma.getArray().getGradient().toFloatArray();
      float[] dBeta = beta.getArray().getGradient().toFloatArray();
      int spatial = (int) (shape.size() / (n * c));
      for (int ch = 0; ch < c; ch++) {
        double g = 0;
        double b = 0;
        for (int s = 0; s < n; s++) {
          for (int v = 0; v < spatial; v++) {
            int i = (s * c + ch) * spatial + v;
            g += xhat[i] * dy[i];
            b += dy[i];
          }
        }
        assertEquals(g, dGamma[ch], 1e-4, "dgamma channel " + ch);
        assertEquals(b, dBeta[ch], 1e-4, "dbeta channel " + ch);
      }
    }
  }

  /**
   * A pass outside training that records gradients through its input (a norm in a network whose
   * weights require them, under libtorch's grad mode) computes the values and the input gradient of
   * a training pass, in both layouts, instead of failing on statistics that require gradients.
   */
  @Test
  void aPassOutsideTrainingThatRecordsGradientsGetsThem() {
    Block norm = GroupNorm.builder().setChannels(8).optGroups(2).build();
    Shape shape = new Shape(2, 8, 3, 4, 5);
    norm.initialize(manager, DataType.FLOAT32, shape);
    float[] x = random(shape, 11);
    float[] dy = random(shape, 12);
    for (boolean channelsLast : new boolean[] {false, true}) {
      float[][] values = new float[2][];
      float[][] gradients = new float[2][];
      for (int t = 0; t < 2; t++) {
        try (NDManager step = manager.newSubManager();
            ChannelsLast.Scope layout = ChannelsLast.forced(channelsLast);
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray leaf = step.create(x, shape);
          leaf.setRequiresGradient(true);
          NDArray in = channelsLast ? OneDnnConv.channelsLast(leaf) : leaf;
          NDArray y =
              norm.forward(new ParameterStore(step, false), new NDList(in), t == 1)
                  .singletonOrThrow();
          gc.backward(y.mul(step.create(dy, shape)).sum());
          values[t] = y.toFloatArray();
          gradients[t] = leaf.getGradient().toFloatArray();
        }
      }
      assertArrayEquals(values[1], values[0], 1e-5f, "values, channels-last " + channelsLast);
      assertArrayEquals(
          gradients[1], gradients[0], 1e-5f, "input gradient, channels-last " + channelsLast);
    }
  }

  /**
   * Leak trap: ops on parameters land in the parameters' manager unless moved; repeated passes must
   * not grow it.
   */
  @Test
  void forwardPassesLeaveNothingInTheParameterManager() {
    for (Block norm :
        new Block[] {
          GroupNorm.builder().setChannels(8).optGroups(2).build(),
          InstanceNorm.builder().setChannels(3).build()
        }) {
      try (NDManager model = manager.newSubManager()) {
        Shape shape = new Shape(2, norm instanceof GroupNorm ? 8 : 3, 4, 4, 4);
        norm.initialize(model, DataType.FLOAT32, shape);
        int before = model.getManagedArrays().size();
        for (int i = 0; i < 5; i++) {
          try (NDManager step = model.newSubManager()) {
            norm.forward(
                new ParameterStore(step, false), new NDList(step.randomNormal(shape)), true);
          }
        }
        assertEquals(before, model.getManagedArrays().size(), norm.toString());
      }
    }
  }

  /**
   * Every path of the norms: inference (statistics from sums, {@code ChannelGroupNorm}'s
   * inference-mode kernel) and training (the training-mode kernel), in the plain and the
   * channels-last layout.
   */
  private static void checkAgainstDouble(Block norm, int n, int c, int groups) {
    for (boolean training : new boolean[] {false, true}) {
      for (boolean channelsLast : new boolean[] {false, true}) {
        checkAgainstDouble(norm, n, c, groups, training, channelsLast);
      }
    }
  }

  private static void checkAgainstDouble(
      Block norm, int n, int c, int groups, boolean training, boolean channelsLast) {
    String path = (training ? "training" : "inference") + (channelsLast ? ", channels-last" : "");
    Shape shape = new Shape(n, c, 3, 4, 5);
    norm.initialize(manager, DataType.FLOAT32, shape);
    float[] gamma = new float[c];
    float[] beta = new float[c];
    for (int i = 0; i < c; i++) {
      gamma[i] = 0.5f + i;
      beta[i] = -1f + 0.25f * i;
    }
    norm.getParameters().get("gamma").getArray().set(gamma);
    norm.getParameters().get("beta").getArray().set(beta);
    float[] x = random(shape, 42 + n + c);
    // Offset and scale the channels so the statistics are far from (0, 1).
    int spatial = (int) (shape.size() / (n * c));
    for (int i = 0; i < x.length; i++) {
      int ch = (i / spatial) % c;
      x[i] = x[i] * (1 + ch) + 3 * ch;
    }
    double[] xhat = normalised(x, n, c, groups, spatial, 1e-5);
    // inference pauses gradient recording (Ensemble), training records
    try (NDManager step = manager.newSubManager();
        ChannelsLast.Scope layout = ChannelsLast.forced(channelsLast);
        Autograd recording = training ? Autograd.recording() : Autograd.paused()) {
      NDArray in = step.create(x, shape);
      in = channelsLast ? OneDnnConv.channelsLast(in) : in;
      float[] y =
          norm.forward(new ParameterStore(step, false), new NDList(in), training)
              .singletonOrThrow()
              .toFloatArray();
      for (int i = 0; i < y.length; i++) {
        int ch = (i / spatial) % c;
        assertEquals(gamma[ch] * xhat[i] + beta[ch], y[i], 2e-5, path + ", value " + i);
      }
    }
  }

  /** (x - mean) / sqrt(biased var + eps) per (sample, group), in double. */
  static double[] normalised(float[] x, int n, int c, int groups, int spatial, double eps) {
    double[] out = new double[x.length];
    int perGroup = c / groups * spatial;
    for (int s = 0; s < n; s++) {
      for (int g = 0; g < groups; g++) {
        int start = (s * c + g * (c / groups)) * spatial;
        double mean = 0;
        for (int i = 0; i < perGroup; i++) {
          mean += x[start + i];
        }
        mean /= perGroup;
        double var = 0;
        for (int i = 0; i < perGroup; i++) {
          var += (x[start + i] - mean) * (x[start + i] - mean);
        }
        var /= perGroup;
        for (int i = 0; i < perGroup; i++) {
          out[start + i] = (x[start + i] - mean) / Math.sqrt(var + eps);
        }
      }
    }
    return out;
  }

  static float[] random(Shape shape, long seed) {
    Random r = new Random(seed);
    float[] a = new float[(int) shape.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }
}
