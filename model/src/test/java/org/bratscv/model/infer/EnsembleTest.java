package org.bratscv.model.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import org.junit.jupiter.api.Test;

class EnsembleTest {
  private static final Dims DIMS = new Dims(16, 8, 8); // W=16, H=8, D=8: rotations swap H and W

  /**
   * Logits = the first three input channels: equivariant, so every inverted pass gives the same.
   */
  private static Block firstThreeChannels(AtomicInteger calls) {
    return new LambdaBlock(
        list -> {
          calls.incrementAndGet();
          return new NDList(list.singletonOrThrow().get(new NDIndex(":, 0:3")));
        });
  }

  /** Logits = a constant, whatever the input. */
  private static Block constant(float logit) {
    return new LambdaBlock(
        list -> {
          NDArray x = list.singletonOrThrow();
          return new NDList(x.get(new NDIndex(":, 0:3")).zerosLike().add(logit));
        });
  }

  private static MultiChannelVolume randomCase(long seed) {
    Random r = new Random(seed);
    float[][] ch = new float[4][DIMS.voxels()];
    for (float[] c : ch) {
      for (int i = 0; i < c.length; i++) {
        c[i] = (float) r.nextGaussian();
      }
    }
    return new MultiChannelVolume(Geometry.isotropic(DIMS), ch);
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  @Test
  void averagesMembersOverAllSixteenAugmentations() {
    AtomicInteger calls = new AtomicInteger();
    Ensemble ensemble =
        Ensemble.builder()
            .addMember("equivariant", firstThreeChannels(calls), "A")
            .addMember("constant", constant(1.5f), "A")
            .optBatchBytes(0)
            .build();
    assertEquals(32, ensemble.predictionsPerCase());
    MultiChannelVolume in = randomCase(1);
    MultiChannelVolume out = ensemble.predict(Map.of("A", in));
    assertEquals(16, calls.get());
    assertEquals(3, out.channelCount());
    assertEquals(in.geometry(), out.geometry());
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < DIMS.voxels(); i++) {
        double expected = (sigmoid(in.channel(c)[i]) + sigmoid(1.5)) / 2;
        assertEquals(expected, out.channel(c)[i], 1e-6, "channel " + c + " voxel " + i);
      }
    }
  }

  @Test
  void eachMemberReadsTheInputItDeclares() {
    Ensemble ensemble =
        Ensemble.builder()
            .addMember("a", firstThreeChannels(new AtomicInteger()), "A")
            .addMember("b", firstThreeChannels(new AtomicInteger()), "B")
            .optAugmentations(TestTimeAugmentation.none())
            .build();
    MultiChannelVolume a = randomCase(2);
    MultiChannelVolume b = randomCase(3);
    MultiChannelVolume out = ensemble.predict(Map.of("A", a, "B", b));
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < DIMS.voxels(); i += 7) {
        double expected = (sigmoid(a.channel(c)[i]) + sigmoid(b.channel(c)[i])) / 2;
        assertEquals(expected, out.channel(c)[i], 1e-6);
      }
    }
  }

  /**
   * A member that is not equivariant shows that each prediction is mapped back by its own inverse:
   * it marks voxel (0, 0, 0) of whatever frame it sees. By torch's rot90 in (H, W), output (a, b)
   * reads f[b][W-1-a] for one quarter turn, f[H-1-a][W-1-b] for two, f[H-1-b][a] for three, where f
   * is the flipped input; so the corner of the augmented frame comes from f at (0, W-1), (H-1,
   * W-1), (H-1, 0), and from x after undoing the flip. The mean at each case voxel is the share of
   * the 16 passes whose mark lands there.
   */
  @Test
  void predictionsAreMappedBackByTheInverseTransform() {
    Block corner =
        new LambdaBlock(
            list -> {
              NDArray logits = list.singletonOrThrow().get(new NDIndex(":, 0:3")).zerosLike();
              logits = logits.sub(100f);
              logits.set(new NDIndex(":, :, 0, 0, 0"), 100f);
              return new NDList(logits);
            });
    Ensemble ensemble = Ensemble.builder().addMember("corner", corner, "A").build();
    MultiChannelVolume out = ensemble.predict(Map.of("A", randomCase(4)));
    int d = DIMS.nz();
    int h = DIMS.ny();
    int w = DIMS.nx();
    double[] expected = new double[DIMS.voxels()];
    for (TestTimeAugmentation t : TestTimeAugmentation.all()) {
      int[] hw =
          switch (t.quarterTurns()) {
            case 0 -> new int[] {0, 0};
            case 1 -> new int[] {0, w - 1};
            case 2 -> new int[] {h - 1, w - 1};
            default -> new int[] {h - 1, 0};
          };
      int z = t.flipAxis() == 2 ? d - 1 : 0;
      int y = t.flipAxis() == 3 ? h - 1 - hw[0] : hw[0];
      int x = t.flipAxis() == 4 ? w - 1 - hw[1] : hw[1];
      expected[DIMS.index(x, y, z)] += 1.0 / 16;
    }
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], out.channel(c)[i], 1e-6, "channel " + c + " voxel " + i);
      }
    }
  }

  /**
   * Two real (tiny) networks, all 16 passes each: probabilities stay in (0, 1), run to run equal.
   */
  @Test
  void tinyEquiUnetsEnsembleDeterministically() {
    try (NDManager m = NDManager.newBaseManager()) {
      Block a = EquiUnet.builder().optWidth(2).build().initialize(m, 1L);
      Block b = EquiUnet.builder().optWidth(2).optNorm(Norm.INSTANCE).build().initialize(m, 2L);
      Ensemble ensemble =
          Ensemble.builder().addMember("A-fold0", a, "A").addMember("B-fold0", b, "B").build();
      MultiChannelVolume ca = randomCase(6);
      MultiChannelVolume cb = randomCase(7);
      MultiChannelVolume first = ensemble.predict(Map.of("A", ca, "B", cb));
      MultiChannelVolume again = ensemble.predict(Map.of("A", ca, "B", cb));
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < DIMS.voxels(); i++) {
          float p = first.channel(c)[i];
          assertTrue(p > 0 && p < 1, "probability " + p);
          assertEquals(p, again.channel(c)[i], 1e-6);
        }
      }
    }
  }

  /**
   * The float16 path on the CPU: members cast at build (weights float16, norms float32), the input
   * handed to them as float16, and the averaged probabilities back in float32 within float16
   * accuracy of the float32 ensemble of the same weights.
   */
  @Test
  void float16EnsembleCastsItsMembersAndAveragesInFloat32CloseToFloat32() {
    try (NDManager m = NDManager.newBaseManager()) {
      MultiChannelVolume in = randomCase(8);
      Block ref = EquiUnet.builder().optWidth(4).optAttention(true).build().initialize(m, 5L);
      Block half = EquiUnet.builder().optWidth(4).optAttention(true).build().initialize(m, 5L);
      java.util.List<DataType> seen = new java.util.ArrayList<>();
      Block spy =
          new LambdaBlock(
              list -> {
                seen.add(list.singletonOrThrow().getDataType());
                return half.forward(new ParameterStore(m, false), list, false);
              });
      MultiChannelVolume p32 =
          Ensemble.builder()
              .addMember("fp32", ref, "A")
              .optAugmentations(TestTimeAugmentation.none())
              .build()
              .predict(Map.of("A", in));
      Ensemble fp16 =
          Ensemble.builder()
              .addMember("fp16", half, "A")
              .optAugmentations(TestTimeAugmentation.none())
              .optPrecision(Precision.FP16)
              .build();
      assertEquals(
          DataType.FLOAT16, half.getParameters().get(0).getValue().getArray().getDataType());
      MultiChannelVolume p16 =
          Ensemble.builder()
              .addMember("spy", spy, "A")
              .optAugmentations(TestTimeAugmentation.none())
              .optPrecision(Precision.FP16)
              .build()
              .predict(Map.of("A", in));
      assertEquals(java.util.List.of(DataType.FLOAT16), seen);
      MultiChannelVolume direct = fp16.predict(Map.of("A", in));
      double maxDiff = 0;
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < DIMS.voxels(); i++) {
          assertEquals(direct.channel(c)[i], p16.channel(c)[i], 0f);
          maxDiff = Math.max(maxDiff, Math.abs(p32.channel(c)[i] - p16.channel(c)[i]));
        }
      }
      assertTrue(maxDiff > 0, "float16 never ran");
      assertTrue(maxDiff < 5e-3, "fp16 vs fp32 probabilities differ by up to " + maxDiff);
    }
  }

  @Test
  void missingInputIsNamed() {
    Ensemble ensemble =
        Ensemble.builder().addMember("b", firstThreeChannels(new AtomicInteger()), "B").build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ensemble.predict(Map.of("A", randomCase(5))));
    assertTrue(e.getMessage().contains("'B'"), e.getMessage());
  }
}
