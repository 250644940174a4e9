package org.bratscv.model.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import org.junit.jupiter.api.Test;

/**
 * Batched test-time augmentation: the batches it forms and that they change nothing but rounding.
 */
class EnsembleBatchingTest {
  /** W=8, H=16, D=24: a quarter turn swaps H and W, so 90/270 degrees are their own batch group. */
  private static final Dims NON_CUBIC = new Dims(8, 16, 24);

  private static final Dims SQUARE_PLANE = new Dims(8, 8, 16);

  private static MultiChannelVolume randomCase(Dims dims, long seed) {
    Random r = new Random(seed);
    float[][] ch = new float[4][dims.voxels()];
    for (float[] c : ch) {
      for (int i = 0; i < c.length; i++) {
        c[i] = (float) r.nextGaussian();
      }
    }
    return new MultiChannelVolume(Geometry.isotropic(dims), ch);
  }

  /** Logits = the first three channels; records the batch size of every forward pass. */
  private static Block recordingBatches(List<Long> batches) {
    return new LambdaBlock(
        list -> {
          batches.add(list.singletonOrThrow().getShape().get(0));
          return new NDList(list.singletonOrThrow().get(new NDIndex(":, 0:3")));
        });
  }

  private static Shape shapeOf(Dims d) {
    return new Shape(1, 4, d.nz(), d.ny(), d.nx());
  }

  @Test
  void batchesFollowTheShapeGroupsAndNeverExceedTheBudget() {
    List<Long> batches = new ArrayList<>();
    Block net = recordingBatches(batches);
    long perSample = Ensemble.bytesPerSample(net, shapeOf(NON_CUBIC));
    // 4 bytes x 3072 voxels x (2 x 4 input channels + 10 x 48 + 6)
    assertEquals(4L * 3072 * (8 + 480 + 6), perSample);

    Ensemble.builder().addMember("n", net, "A").optBatchBytes(0).build().predict(input());
    assertEquals(nCopies(16, 1L), batches);

    batches.clear();
    Ensemble.builder().addMember("n", net, "A").build().predict(input());
    assertEquals(List.of(8L, 8L), batches, "flips x {0, 180} degrees, then flips x {90, 270}");

    batches.clear();
    Ensemble.builder()
        .addMember("n", net, "A")
        .build()
        .predict(Map.of("A", randomCase(SQUARE_PLANE, 1)));
    assertEquals(List.of(16L), batches, "H = W: every transform keeps the shape");

    batches.clear();
    long budget = 3 * perSample + perSample / 2;
    Ensemble.builder().addMember("n", net, "A").optBatchBytes(budget).build().predict(input());
    assertEquals(List.of(3L, 3L, 2L, 3L, 3L, 2L), batches);
    for (long b : batches) {
      assertTrue(b * perSample <= budget, b + " samples exceed the budget");
    }
  }

  /**
   * Two tiny networks (GroupNorm with CBAM attention, InstanceNorm), all 16 transforms on a
   * non-cubic volume: sequential passes, batches of 3 and batches of 8 give the same mean
   * probabilities up to float rounding.
   */
  @Test
  void batchedProbabilitiesEqualTheSequentialOnes() {
    try (NDManager m = NDManager.newBaseManager()) {
      Block a = EquiUnet.builder().optWidth(4).optAttention(true).build().initialize(m, 1L);
      Block b = EquiUnet.builder().optWidth(2).optNorm(Norm.INSTANCE).build().initialize(m, 2L);
      Map<String, MultiChannelVolume> in =
          Map.of("A", randomCase(NON_CUBIC, 3), "B", randomCase(NON_CUBIC, 4));
      long perSampleA = Ensemble.bytesPerSample(a, shapeOf(NON_CUBIC));
      MultiChannelVolume sequential = ensemble(a, b, Precision.FP32, 0).predict(in);
      Ensemble byThree = ensemble(a, b, Precision.FP32, 3 * perSampleA);
      assertEquals(3, byThree.batchSize(byThree.members().get(0), shapeOf(NON_CUBIC)));
      assertClose(sequential, byThree.predict(in), 1e-5);
      Ensemble whole = ensemble(a, b, Precision.FP32, Ensemble.DEFAULT_BATCH_BYTES);
      assertEquals(16, whole.batchSize(whole.members().get(0), shapeOf(NON_CUBIC)));
      assertClose(sequential, whole.predict(in), 1e-5);
    }
  }

  /** The float16 path batches the same way: batched equals sequential within float16 rounding. */
  @Test
  void float16BatchesEqualFloat16SequentialPasses() {
    try (NDManager m = NDManager.newBaseManager()) {
      Block a = EquiUnet.builder().optWidth(4).build().initialize(m, 5L);
      Map<String, MultiChannelVolume> in = Map.of("A", randomCase(NON_CUBIC, 6));
      Ensemble sequential =
          Ensemble.builder()
              .addMember("a", a, "A")
              .optPrecision(Precision.FP16)
              .optBatchBytes(0)
              .build();
      MultiChannelVolume one = sequential.predict(in);
      MultiChannelVolume batched =
          Ensemble.builder()
              .addMember("a", a, "A")
              .optPrecision(Precision.FP16)
              .build()
              .predict(in);
      assertClose(one, batched, 2e-3);
    }
  }

  /**
   * libtorch records gradients by default on every new thread (its grad mode is per thread); the
   * ensemble's passes run with recording off and leave the thread's mode as they found it.
   */
  @Test
  void forwardPassesRunWithoutGradientRecording() throws Exception {
    AtomicReference<Boolean> during = new AtomicReference<>();
    AtomicReference<Boolean> before = new AtomicReference<>();
    AtomicReference<Boolean> after = new AtomicReference<>();
    Block spy =
        new LambdaBlock(
            list -> {
              during.set(JniUtils.isGradMode());
              return new NDList(list.singletonOrThrow().get(new NDIndex(":, 0:3")));
            });
    Thread t =
        new Thread(
            () -> {
              before.set(JniUtils.isGradMode());
              Ensemble.builder()
                  .addMember("spy", spy, "A")
                  .optAugmentations(TestTimeAugmentation.none())
                  .build()
                  .predict(input());
              after.set(JniUtils.isGradMode());
            });
    t.start();
    t.join();
    assertTrue(before.get(), "a new thread starts with recording on");
    assertFalse(during.get(), "the forward pass recorded gradients");
    assertTrue(after.get(), "the thread's grad mode was not restored");
  }

  private static Map<String, MultiChannelVolume> input() {
    return Map.of("A", randomCase(NON_CUBIC, 2));
  }

  private static Ensemble ensemble(Block a, Block b, Precision precision, long batchBytes) {
    return Ensemble.builder()
        .addMember("A-fold0", a, "A")
        .addMember("B-fold0", b, "B")
        .optPrecision(precision)
        .optBatchBytes(batchBytes)
        .build();
  }

  private static List<Long> nCopies(int n, long v) {
    return java.util.Collections.nCopies(n, v);
  }

  private static void assertClose(MultiChannelVolume want, MultiChannelVolume got, double tol) {
    double max = 0;
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < want.channel(c).length; i++) {
        max = Math.max(max, Math.abs(want.channel(c)[i] - got.channel(c)[i]));
      }
    }
    assertTrue(max <= tol, "batched and sequential probabilities differ by up to " + max);
  }
}
