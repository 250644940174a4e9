package org.bratscv.model.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.model.testing.KinkedGradients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EquiUnetTest {
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  private static long count(EquiUnet.Builder b) {
    try (NDManager m = manager.newSubManager()) {
      EquiUnet net = b.build();
      net.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 4, 8, 8, 8));
      return net.parameterCount();
    }
  }

  /**
   * The paper's network: w = 48, GroupNorm, deep-supervision heads. By hand: a ConvNormRelu(i, o)
   * holds 27*i*o conv weights + 2*o norm values; the UBlocks and bottom2 give 23,152,416; the
   * output conv 48*3 + 3 = 147; the four heads (384 + 192 + 96 + 48) * 3 + 4 * 3 = 2,172.
   */
  @Test
  void paperNetworkHasTheReferenceParameterCount() {
    assertEquals(23_154_735L, count(EquiUnet.builder().optWidth(48).optDeepSupervision(true)));
  }

  @Test
  void withoutDeepSupervisionTheFourHeadsAreMissing() {
    assertEquals(
        23_154_735L - 2_172L, count(EquiUnet.builder().optWidth(48).optDeepSupervision(false)));
  }

  /**
   * The output prior sets the biases of the output convolution and the four heads to logit(p) and
   * nothing else: every other parameter keeps its value.
   */
  @Test
  void theOutputPriorSetsTheOutputBiasesOnly() {
    try (NDManager m = manager.newSubManager()) {
      EquiUnet net = headedNet(m);
      java.util.Map<String, float[]> before = parameters(net);
      net.setOutputPrior(0.05);
      float logit = (float) Math.log(0.05 / 0.95);
      int changed = 0;
      for (var e : net.getParameters()) {
        float[] now = e.getValue().getArray().toFloatArray();
        boolean outputBias =
            e.getValue().getType() == ai.djl.nn.Parameter.Type.BIAS
                && (e.getKey().contains("out") || e.getKey().contains("ds"));
        if (outputBias) {
          changed++;
          for (float v : now) {
            assertEquals(logit, v, 0f, e.getKey());
          }
        } else {
          assertArrayEquals(before.get(e.getKey()), now, 0f, e.getKey());
        }
      }
      assertEquals(5, changed, "the output convolution's bias and the four heads'");
      assertThrows(IllegalArgumentException.class, () -> net.setOutputPrior(0));
      assertThrows(IllegalArgumentException.class, () -> net.setOutputPrior(1));
    }
  }

  /**
   * Fitting the prior on a batch shifts only the output biases (the output convolution's and the
   * four heads'), so that each output channel's mean logit over that batch, main output and heads
   * alike, is logit(p); the means before the shift come back. Outputs that are not this network's
   * training outputs are refused.
   */
  @Test
  void fittingTheOutputPriorOnABatchStartsEveryOutputChannelAtThePrior() {
    try (NDManager m = manager.newSubManager()) {
      EquiUnet net = headedNet(m);
      net.setOutputPrior(0.05);
      java.util.Map<String, float[]> before = parameters(net);
      NDArray x = m.randomNormal(new Shape(2, 4, 8, 8, 16));
      ParameterStore ps = new ParameterStore(m, false);
      NDList first = net.forward(ps, new NDList(x), true);
      assertEquals(5, first.size());
      float[][] means = net.fitOutputPrior(first, 0.05);

      float logit = (float) Math.log(0.05 / 0.95);
      NDList after = net.forward(ps, new NDList(x), true);
      double moved = 0;
      for (int i = 0; i < 5; i++) {
        float[] now = channelMeans(after.get(i));
        float[] was = channelMeans(first.get(i));
        assertArrayEquals(was, means[i], 1e-5f, "output " + i);
        for (int c = 0; c < 3; c++) {
          assertEquals(logit, now[c], 1e-4, "output " + i + " channel " + c);
          moved = Math.max(moved, Math.abs(was[c] - logit));
        }
      }
      assertTrue(moved > 0.1, "the weights' draw moved the channels off the prior: " + moved);
      int changed = 0;
      for (var e : net.getParameters()) {
        float[] now = e.getValue().getArray().toFloatArray();
        if (java.util.Arrays.equals(before.get(e.getKey()), now)) {
          continue;
        }
        changed++;
        assertEquals(ai.djl.nn.Parameter.Type.BIAS, e.getValue().getType(), e.getKey());
        assertTrue(e.getKey().contains("out") || e.getKey().contains("ds"), e.getKey());
      }
      assertEquals(5, changed, "the output convolution's bias and the four heads'");
      NDList mainOnly = new NDList(after.head());
      assertThrows(IllegalArgumentException.class, () -> net.fitOutputPrior(mainOnly, 0.05));
      assertThrows(IllegalArgumentException.class, () -> net.fitOutputPrior(after, 1));
    }
  }

  /** A width-2 GroupNorm EquiUnet with its four deep-supervision heads, initialised with seed 7. */
  private static EquiUnet headedNet(NDManager m) {
    EquiUnet net =
        EquiUnet.builder().optWidth(2).optDeepSupervision(true).optNorm(Norm.GROUP).build();
    net.initialize(m, 7L);
    return net;
  }

  /** Every parameter's values by name. */
  private static java.util.Map<String, float[]> parameters(EquiUnet net) {
    java.util.Map<String, float[]> values = new java.util.LinkedHashMap<>();
    for (var e : net.getParameters()) {
      values.put(e.getKey(), e.getValue().getArray().toFloatArray());
    }
    return values;
  }

  private static float[] channelMeans(NDArray logits) {
    long channels = logits.getShape().get(1);
    return logits.swapAxes(0, 1).reshape(channels, -1).mean(new int[] {1}).toFloatArray();
  }

  /** InstanceNorm(affine) holds the same 2 values per channel as GroupNorm. */
  @Test
  void instanceNormHasTheSameCountAsGroupNorm() {
    assertEquals(
        23_154_735L,
        count(EquiUnet.builder().optWidth(48).optNorm(Norm.INSTANCE).optDeepSupervision(true)));
  }

  /**
   * A CBAM over C channels: MLP C -> C/16 -> C with biases (2*C*(C/16) + C/16 + C), the 7x7x7 conv
   * 2 -> 1 without bias (686) and a 1-channel norm (2). After enc1..enc4, bottom and bottom2 (48,
   * 96, 192, 384, 384, 192 channels): 1,027 + 1,942 + 5,500 + 19,528 + 19,528 + 5,500 = 53,025.
   */
  @Test
  void attentionAddsSixCbamBlocks() {
    assertEquals(
        23_154_735L + 53_025L,
        count(EquiUnet.builder().optWidth(48).optDeepSupervision(true).optAttention(true)));
  }

  /**
   * torch's {@code sum(p.numel())} of the reference's Att_EquiUnet at width 8: its first CBAM (8
   * channels) has a zero-width channel gate, just the 8 biases of {@code Linear(0, 8)}.
   */
  @Test
  void attentionAtWidth8HasTheReferenceParameterCount() {
    assertEquals(
        650_724L,
        count(EquiUnet.builder().optWidth(8).optDeepSupervision(true).optAttention(true)));
    assertEquals(650_352L, count(EquiUnet.builder().optWidth(8).optAttention(true)));
    assertEquals(644_683L, count(EquiUnet.builder().optWidth(8)));
  }

  @Test
  void trainingWithDeepSupervisionReturnsMainAndFourFullSizeOutputs() {
    EquiUnet net =
        EquiUnet.builder().optWidth(2).optDeepSupervision(true).optAttention(true).build();
    try (NDManager m = manager.newSubManager()) {
      net.initialize(m, 1L);
      Shape in = new Shape(1, 4, 16, 24, 32);
      NDArray x = m.randomNormal(in);
      NDList train = net.forward(new ParameterStore(m, false), new NDList(x), true);
      assertEquals(5, train.size());
      for (NDArray o : train) {
        assertEquals(new Shape(1, 3, 16, 24, 32), o.getShape());
      }
      NDList infer = net.forward(new ParameterStore(m, false), new NDList(x), false);
      assertEquals(1, infer.size());
      assertEquals(new Shape(1, 3, 16, 24, 32), infer.head().getShape());
    }
  }

  @Test
  void layerTableFollowsTheArchitecture() {
    EquiUnet net = EquiUnet.builder().optWidth(4).optDeepSupervision(true).build();
    List<EquiUnet.Layer> rows = net.layers(new Shape(1, 4, 32, 32, 32));
    List<String> names = rows.stream().map(EquiUnet.Layer::name).toList();
    assertEquals(
        List.of(
            "enc1",
            "enc2",
            "enc3",
            "enc4",
            "bottom",
            "bottom2",
            "up",
            "dec3",
            "up",
            "dec2",
            "up",
            "dec1",
            "out",
            "dsBottom",
            "dsBottom2",
            "dsDec3",
            "dsDec2"),
        names);
    assertEquals(new Shape(1, 4, 32, 32, 32), rows.get(0).output());
    assertEquals(new Shape(1, 32, 4, 4, 4), rows.get(3).output()); // enc4: 8w at 1/8
    assertEquals(new Shape(1, 64, 4, 4, 4), rows.get(5).input()); // bottom2 reads 16w
    assertEquals(new Shape(1, 16, 4, 4, 4), rows.get(5).output()); // and writes 4w
    assertEquals(new Shape(1, 32, 8, 8, 8), rows.get(7).input()); // dec3 reads 8w
    assertEquals(new Shape(1, 3, 32, 32, 32), rows.get(12).output());
    for (EquiUnet.Layer head : rows.subList(13, 17)) {
      assertEquals(new Shape(1, 3, 32, 32, 32), head.output(), head.name());
    }
  }

  @Test
  void rejectsSizesThatAreNotMultiplesOfEight() {
    EquiUnet net = EquiUnet.builder().optWidth(2).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> net.layers(new Shape(1, 4, 16, 20, 16)));
    assertTrue(e.getMessage().contains("multiples of 8"), e.getMessage());
  }

  @Test
  void seededInitialisationIsReproducibleAndFollowsKaimingFanOut() {
    try (NDManager m = manager.newSubManager()) {
      EquiUnet a = EquiUnet.builder().optWidth(16).build().initialize(m, 7L);
      EquiUnet b = EquiUnet.builder().optWidth(16).build().initialize(m, 7L);
      EquiUnet c = EquiUnet.builder().optWidth(16).build().initialize(m, 8L);
      var pa = a.namedParameters();
      var pb = b.namedParameters();
      var pc = c.namedParameters();
      for (int i = 0; i < pa.size(); i++) {
        assertArrayEquals(
            pa.get(i).getValue().getArray().toFloatArray(),
            pb.get(i).getValue().getArray().toFloatArray(),
            pa.get(i).getKey());
      }
      // dec3's first conv: 64 -> 64 filters of 3^3, fan_out = 64 * 27, std = sqrt(2 / 1728).
      String name =
          pa.stream()
              .map(p -> p.getKey())
              .filter(k -> k.contains("dec3") && k.contains("cnr1"))
              .filter(k -> k.endsWith("weight"))
              .findFirst()
              .orElseThrow();
      float[] w = a.getParameters().get(name).getArray().toFloatArray();
      double sq = 0;
      for (float v : w) {
        sq += v * v;
      }
      double std = Math.sqrt(sq / w.length);
      assertEquals(Math.sqrt(2.0 / (64 * 27)), std, 0.02 * std);
      assertFalse(
          java.util.Arrays.equals(w, c.getParameters().get(name).getArray().toFloatArray()));
      String gamma =
          pa.stream()
              .map(p -> p.getKey())
              .filter(k -> k.endsWith("gamma"))
              .findFirst()
              .orElseThrow();
      for (float v : a.getParameters().get(gamma).getArray().toFloatArray()) {
        assertEquals(1f, v);
      }
    }
  }

  @Test
  void trainingStepProducesFiniteGradientsForEveryParameter() {
    try (NDManager m = manager.newSubManager()) {
      EquiUnet net =
          EquiUnet.builder().optWidth(2).optDeepSupervision(true).optAttention(true).build();
      net.initialize(m, 3L);
      try (NDManager step = m.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray x = step.randomNormal(new Shape(1, 4, 16, 16, 16));
        NDList outs = net.forward(new ParameterStore(step, false), new NDList(x), true);
        NDArray loss = outs.get(0).sum();
        for (int i = 1; i < outs.size(); i++) {
          loss = loss.add(outs.get(i).sum());
        }
        gc.backward(loss);
        for (var p : net.namedParameters()) {
          NDArray g = p.getValue().getArray().getGradient();
          assertTrue(g.isInfinite().logicalOr(g.isNaN()).none().getBoolean(), p.getKey());
          // A CBAM hidden layer this narrow (1 unit) may be a dead ReLU: then the weights around
          // it get no gradient (mlpOut's bias still does).
          String k = p.getKey();
          if (!k.contains("mlpIn") && !(k.contains("mlpOut") && k.endsWith("weight"))) {
            assertTrue(g.abs().sum().getFloat() > 0, "zero gradient for " + p.getKey());
          }
        }
      }
    }
  }

  /**
   * At a width off oneDNN's channel block (6: the decoder's convolutions take 12 channels) a batch
   * of two, which libtorch sends to oneDNN, gives what each sample gives alone (libtorch's im2col
   * at this size, or {@code OneDnnConv}'s depth slabs), outputs and weight gradients. Before {@code
   * OneDnnConv} padded the channels, the batch's outputs were NaN on the AMD EPYC under the AVX2
   * cap. Six seeded inputs, since a weight gradient may flip at a ReLU or max-pool kink on one of
   * them ({@link KinkedGradients}).
   */
  @Test
  void aBatchEqualsItsSamplesAtAWidthOffTheChannelBlock() {
    try (NDManager m = manager.newSubManager()) {
      EquiUnet net = EquiUnet.builder().optWidth(6).optNorm(Norm.INSTANCE).build();
      net.initialize(m, 5L);
      KinkedGradients.assertAgree(
          6,
          1e-4,
          input -> {
            m.getEngine().setRandomSeed(1000 + input);
            NDArray x = m.randomNormal(new Shape(2, 4, 16, 8, 16));
            return new KinkedGradients.Pair(
                batchAndSamples(net, m, x, false), batchAndSamples(net, m, x, true));
          },
          "batch of two against its samples");
    }
  }

  /** The outputs (one, of the whole batch) and weight gradients of {@code sum(net(x))}. */
  private static KinkedGradients.Result batchAndSamples(
      EquiUnet net, NDManager m, NDArray x, boolean oneAtATime) {
    try (NDManager step = m.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.zeroGradients(); // a collector adds to the gradients the last one left
      List<NDArray> outs = new ArrayList<>();
      NDArray loss = null;
      long n = oneAtATime ? x.getShape().get(0) : 1;
      for (int i = 0; i < n; i++) {
        NDArray xi = oneAtATime ? x.get(i + ":" + (i + 1)) : x;
        NDArray y = net.forward(new ParameterStore(step, false), new NDList(xi), true).get(0);
        outs.add(y);
        loss = loss == null ? y.sum() : loss.add(y.sum());
      }
      gc.backward(loss);
      NDArray out = outs.size() == 1 ? outs.get(0) : NDArrays.concat(new NDList(outs), 0);
      List<String> names = new ArrayList<>();
      List<float[]> grads = new ArrayList<>();
      for (var p : net.namedParameters()) {
        names.add(p.getKey());
        grads.add(p.getValue().getArray().getGradient().toFloatArray());
      }
      return new KinkedGradients.Result(List.of(out.toFloatArray()), names, grads);
    }
  }
}
