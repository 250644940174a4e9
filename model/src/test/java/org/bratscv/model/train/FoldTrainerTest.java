package org.bratscv.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bratscv.model.loss.SoftDiceLoss;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.testing.FreedMemoryReuse;
import org.bratscv.model.train.checkpoint.Checkpoints;
import org.bratscv.model.train.checkpoint.CorruptCheckpointException;
import org.bratscv.model.train.checkpoint.LocalCheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldTrainerTest {

  private static final List<String> TRAIN = List.of("c1", "c2", "c3", "c4");
  private static final List<String> VALIDATION = List.of("v1", "v2");

  @TempDir Path tmp;

  private static TrainingConfig config(
      OptimizerConfig optimizer,
      SwaConfig swa,
      TrainingConfig.FinalWeights finalWeights,
      int epochs,
      int validateEvery) {
    return new TrainingConfig(
        epochs,
        2,
        TrainingConfig.PatchSize.cube(SyntheticSamples.PATCH),
        4,
        3,
        SoftDiceLoss.Denominator.SQUARES,
        SoftDiceLoss.Input.PROBABILITIES,
        optimizer,
        ScheduleConfig.constantThenCosine(epochs / 2, epochs, 0),
        swa,
        validateEvery,
        finalWeights,
        11,
        TrainingConfig.Precision.FP32,
        8,
        2);
  }

  /** Pipeline A in miniature: Ranger, then 2 SWA cycles of 2 epochs, a snapshot every epoch. */
  private static TrainingConfig miniA() {
    SwaConfig swa = new SwaConfig(2, 2, 1, 2, 0, OptimizerConfig.adam(1e-3, 1e-8), false);
    return config(OptimizerConfig.ranger(0.01), swa, TrainingConfig.FinalWeights.SWA_AVERAGE, 4, 2);
  }

  /** Runs one fold with a fresh net and manager; returns the result and the final weights. */
  private static Run train(TrainingConfig config, Path store, SampleSource data, int fold)
      throws IOException {
    return train(config, store, data, fold, true);
  }

  private static Run train(
      TrainingConfig config, Path store, SampleSource data, int fold, boolean sigmoidInNet)
      throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinySupervisedNet net = new TinySupervisedNet(4, 3, sigmoidInNet);
      List<Integer> managed = new ArrayList<>();
      TrainingListener listener =
          new TrainingListener() {
            @Override
            public void onEpoch(EpochLog log) {
              managed.add(manager.getManagedArrays().size());
            }
          };
      FoldTrainer trainer =
          new FoldTrainer(
              config, fold, net, manager, data, new LocalCheckpointStore(store), listener);
      TrainingResult result = trainer.train(TRAIN, VALIDATION);
      return new Run(result, weights(net.getParameters()), managed);
    }
  }

  record Run(TrainingResult result, Map<String, float[]> weights, List<Integer> managedArrays) {}

  private static Map<String, float[]> weights(ParameterList params) {
    Map<String, float[]> w = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : params) {
      w.put(p.getKey(), p.getValue().getArray().toFloatArray());
    }
    return w;
  }

  /**
   * An output prior is applied to the network before the first step; a network that is not an
   * EquiUnet has no output convolution to set, and says so before training anything.
   */
  @Test
  void anOutputPriorNeedsAnEquiUnet() {
    TrainingConfig plain = miniA();
    TrainingConfig withPrior = plain.withOutputPrior(0.05);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> train(withPrior, tmp.resolve("prior"), new SyntheticSamples(), 0));
    assertTrue(e.getMessage().contains("needs an EquiUnet"), e.getMessage());
    assertFalse(java.nio.file.Files.exists(tmp.resolve("prior").resolve("epoch_000000")));
    assertThrows(IllegalArgumentException.class, () -> plain.withOutputPrior(1.0));
  }

  /**
   * {@link SyntheticSamples} with cubic patches of {@code patch}, failing once, at the first sample
   * of {@code crashEpoch} (-1: never), like a killed task.
   */
  private static final class CrashingSamples extends SyntheticSamples {
    private final int crashEpoch;
    private final int patch;

    CrashingSamples(int crashEpoch) {
      this(crashEpoch, PATCH);
    }

    CrashingSamples(int crashEpoch, int patch) {
      this.crashEpoch = crashEpoch;
      this.patch = patch;
    }

    @Override
    public Sample trainingSample(String caseId, int epoch, TrainingSeeds seeds) {
      if (epoch == crashEpoch) {
        throw new IllegalStateException("simulated crash in epoch " + epoch);
      }
      return make(caseId, seeds.caseSeed(epoch, caseId), patch, patch, patch);
    }
  }

  @Test
  void shortRunLearnsTheTrivialTargetWithoutLeakingArrays() throws IOException {
    TrainingConfig base =
        config(OptimizerConfig.adam(0.05, 1e-8), null, TrainingConfig.FinalWeights.LAST, 20, 5);
    TrainingConfig config =
        new TrainingConfig(
            base.epochs(),
            1,
            base.patch(),
            base.inputChannels(),
            base.regions(),
            base.dice(),
            base.networkOutput(),
            base.optimizer(),
            base.schedule(),
            base.swa(),
            base.validateEvery(),
            base.finalWeights(),
            base.seed(),
            base.precision(),
            base.sizeDivisor(),
            base.keepCheckpoints());
    Run run = train(config, tmp.resolve("learn"), new SyntheticSamples(), 0);
    List<EpochLog> h = run.result().history();

    assertEquals(20, h.size());
    assertTrue(
        h.get(19).trainLoss() < 0.5 * h.get(0).trainLoss(),
        "train loss " + h.get(0).trainLoss() + " -> " + h.get(19).trainLoss());
    assertTrue(Double.isNaN(h.get(0).validationLoss()));
    assertTrue(h.get(4).validated());
    assertTrue(h.get(19).validationLoss() < h.get(4).validationLoss());
    for (double dice : new double[] {h.get(19).diceEt(), h.get(19).diceTc(), h.get(19).diceWt()}) {
      assertTrue(dice > 0.8, "Dice " + dice);
    }
    assertEquals(0.05, h.get(9).learningRate(), 0);
    assertEquals(0.05 * (1 + Math.cos(Math.PI * 9 / 10)) / 2, h.get(19).learningRate(), 1e-12);
    // each step runs in a sub-manager: nothing piles up in the model's manager
    assertEquals(run.managedArrays().get(1), run.managedArrays().get(19));
  }

  @Test
  void resumeAfterCrashesReproducesTheUninterruptedRun() throws IOException {
    TrainingConfig config = miniA();
    Run straight = train(config, tmp.resolve("straight"), new SyntheticSamples(), 1);

    Path store = tmp.resolve("resumed");
    // crash in the main phase (mid-Lookahead), then inside an SWA cycle
    assertThrows(IOException.class, () -> train(config, store, new CrashingSamples(2), 1));
    IOException crash =
        assertThrows(IOException.class, () -> train(config, store, new CrashingSamples(5), 1));
    assertTrue(crash.getMessage().startsWith("training sample of case c"), crash.getMessage());
    assertTrue(crash.getMessage().endsWith("simulated crash in epoch 5"), crash.getMessage());
    // the failed epoch's prefetching thread ended with it
    assertTrue(
        Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().startsWith("sample-prefetch") && t.isAlive()));
    Run resumed = train(config, store, new SyntheticSamples(), 1);

    assertEquals(4, resumed.result().resumedAfter());
    assertEquals(4, resumed.result().swaSnapshots());
    List<EpochLog> a = straight.result().history();
    List<EpochLog> b = resumed.result().history();
    assertEquals(8, b.size());
    for (int e = 0; e < 8; e++) {
      assertEquals(a.get(e).trainLoss(), b.get(e).trainLoss(), 0, "train loss, epoch " + e);
      assertEquals(a.get(e).validationLoss(), b.get(e).validationLoss(), 1e-6, "val, epoch " + e);
      assertEquals(a.get(e).learningRate(), b.get(e).learningRate(), 0);
    }
    for (String name : straight.weights().keySet()) {
      assertArrayEquals(straight.weights().get(name), resumed.weights().get(name), 0f, name);
    }
  }

  @Test
  void swaPhaseRestartsTheRateEachCycleAndReturnsTheAverage() throws IOException {
    Path store = tmp.resolve("swa");
    Run run = train(miniA(), store, new SyntheticSamples(), 0);
    List<EpochLog> h = run.result().history();

    assertEquals("main", h.get(3).phase());
    assertEquals("swa", h.get(4).phase());
    assertEquals(1e-3, h.get(4).learningRate(), 0);
    assertEquals(5e-4, h.get(5).learningRate(), 1e-15);
    assertEquals(1e-3, h.get(6).learningRate(), 0);
    assertEquals(4, run.result().swaSnapshots());
    // the final checkpoint holds the weights left in the block
    Checkpoints cp = new Checkpoints(new LocalCheckpointStore(store));
    try (NDManager m = NDManager.newBaseManager()) {
      TinySupervisedNet net = new TinySupervisedNet(4, 3);
      net.initialize(m, DataType.FLOAT32, new Shape(1, 4, 8, 8, 8));
      assertEquals("final", cp.loadWeights(FoldTrainer.FINAL, net.getParameters()).kind());
      Map<String, float[]> saved = weights(net.getParameters());
      for (String name : run.weights().keySet()) {
        assertArrayEquals(run.weights().get(name), saved.get(name), 0f, name);
      }
    }
    // only the newest two epoch checkpoints are kept
    assertEquals(List.of("epoch-000006", "epoch-000007"), cp.list(FoldTrainer.EPOCH_PREFIX));
  }

  @Test
  void bestValidationWeightsAreTheResultOfPipelineB() throws IOException {
    TrainingConfig config =
        config(
            OptimizerConfig.adam(0.05, 1e-4),
            null,
            TrainingConfig.FinalWeights.BEST_VALIDATION,
            6,
            1);
    Path store = tmp.resolve("best");
    Run run = train(config, store, new SyntheticSamples(), 2);
    List<EpochLog> h = run.result().history();

    int argmin = 0;
    for (int e = 1; e < h.size(); e++) {
      if (h.get(e).validationLoss() < h.get(argmin).validationLoss()) {
        argmin = e;
      }
    }
    assertEquals(argmin, run.result().bestEpoch());
    assertEquals(h.get(argmin).validationLoss(), run.result().bestValidationLoss(), 0);
    Checkpoints cp = new Checkpoints(new LocalCheckpointStore(store));
    assertEquals(argmin, cp.readVerified(FoldTrainer.BEST).epoch());
  }

  @Test
  void corruptedLatestCheckpointStopsTheResumeWithAClearError() throws IOException {
    TrainingConfig config = miniA();
    Path store = tmp.resolve("corrupt");
    assertThrows(IOException.class, () -> train(config, store, new CrashingSamples(3), 0));
    Path weights = store.resolve("epoch-000002/weights.bin");
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length / 2] ^= 1;
    Files.write(weights, bytes);

    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () -> train(config, store, new SyntheticSamples(), 0));
    assertTrue(e.getMessage().contains("epoch-000002"), e.getMessage());
    assertTrue(e.getMessage().contains("weights.bin"), e.getMessage());
    assertTrue(e.getMessage().contains("resume from epoch-000001"), e.getMessage());
  }

  @Test
  void checkpointOfAnotherConfigurationIsNotResumed() throws IOException {
    Path store = tmp.resolve("other");
    assertThrows(IOException.class, () -> train(miniA(), store, new CrashingSamples(1), 0));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> train(miniA(), store, new SyntheticSamples(), 1));
    assertTrue(e.getMessage().contains("another configuration or fold"), e.getMessage());
  }

  @Test
  void logitsNetworkTrainsExactlyLikeTheSameNetworkWithItsSigmoid() throws IOException {
    TrainingConfig probabilities =
        config(OptimizerConfig.adam(0.05, 1e-8), null, TrainingConfig.FinalWeights.LAST, 3, 1);
    TrainingConfig logits =
        new TrainingConfig(
            probabilities.epochs(),
            probabilities.batchSize(),
            probabilities.patch(),
            probabilities.inputChannels(),
            probabilities.regions(),
            probabilities.dice(),
            SoftDiceLoss.Input.LOGITS,
            probabilities.optimizer(),
            probabilities.schedule(),
            probabilities.swa(),
            probabilities.validateEvery(),
            probabilities.finalWeights(),
            probabilities.seed(),
            probabilities.precision(),
            probabilities.sizeDivisor(),
            probabilities.keepCheckpoints());
    Run a = train(probabilities, tmp.resolve("p"), new SyntheticSamples(), 0, true);
    Run b = train(logits, tmp.resolve("l"), new SyntheticSamples(), 0, false);
    for (int e = 0; e < 3; e++) {
      EpochLog x = a.result().history().get(e);
      EpochLog y = b.result().history().get(e);
      assertEquals(x.trainLoss(), y.trainLoss(), 1e-6);
      assertEquals(x.validationLoss(), y.validationLoss(), 1e-6);
      assertEquals(x.diceWt(), y.diceWt(), 1e-6);
    }
  }

  /**
   * Two folds trained at once in one JVM (two Spark tasks in one executor) end bit for bit where
   * they end alone, while a third thread makes the JVM collect garbage and reuse freed native
   * memory (as the rest of an executor does): nothing in a training step may depend on memory the
   * JVM can free before the backward pass.
   */
  @Test
  void twoFoldsTrainConcurrentlyInOneJvmLikeSequentially() throws Exception {
    TrainingConfig config =
        config(OptimizerConfig.adam(0.05, 1e-8), null, TrainingConfig.FinalWeights.LAST, 2, 1);
    Run s0 = train(config, tmp.resolve("s0"), new SyntheticSamples(), 0);
    Run s1 = train(config, tmp.resolve("s1"), new SyntheticSamples(), 1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    AtomicBoolean training = new AtomicBoolean(true);
    try {
      Future<?> pressure =
          pool.submit(
              () -> {
                while (training.get()) {
                  FreedMemoryReuse.collectAndOverwrite(2);
                }
                return null;
              });
      for (int round = 0; round < 3; round++) {
        String r = "r" + round;
        Future<Run> c0 =
            pool.submit(() -> train(config, tmp.resolve(r + "c0"), new SyntheticSamples(), 0));
        Future<Run> c1 =
            pool.submit(() -> train(config, tmp.resolve(r + "c1"), new SyntheticSamples(), 1));
        for (Run[] pair : new Run[][] {{s0, c0.get()}, {s1, c1.get()}}) {
          for (int e = 0; e < 2; e++) {
            assertEquals(
                pair[0].result().history().get(e).trainLoss(),
                pair[1].result().history().get(e).trainLoss(),
                0,
                "round " + round + ", train loss of epoch " + e);
          }
          for (String name : pair[0].weights().keySet()) {
            assertArrayEquals(
                pair[0].weights().get(name),
                pair[1].weights().get(name),
                0f,
                "round " + round + ": " + name);
          }
        }
      }
      training.set(false);
      pressure.get();
    } finally {
      training.set(false);
      pool.shutdownNow();
    }
  }

  /** An EquiUnet's patch: 16^3, so that its bottom keeps 2^3 voxels to normalise. */
  private static final int UNET_PATCH = 16;

  /** Samples for an EquiUnet, failing once at {@code crashEpoch} (-1: never). */
  private static CrashingSamples unetSamples(int crashEpoch) {
    return new CrashingSamples(crashEpoch, UNET_PATCH);
  }

  /** A width-2 EquiUnet of pipeline A's kind, its prior 0.05 put in by {@code fit}. */
  private static TrainingConfig priorConfig(TrainingConfig.PriorFit fit, double lr, int epochs) {
    return new TrainingConfig(
        epochs,
        2,
        TrainingConfig.PatchSize.cube(UNET_PATCH),
        4,
        3,
        SoftDiceLoss.Denominator.SQUARES,
        SoftDiceLoss.Input.LOGITS,
        OptimizerConfig.adam(lr, 1e-8),
        ScheduleConfig.cosine(epochs, 0),
        null,
        1000,
        TrainingConfig.FinalWeights.LAST,
        11,
        TrainingConfig.Precision.FP32,
        8,
        2,
        0.05,
        SoftDiceLoss.Reduction.BATCH,
        fit);
  }

  private record PriorRun(Map<String, float[]> weights, float[] firstBatchMeanLogits) {}

  /**
   * Trains a width-2 EquiUnet (seed 7) and returns its final weights and, with them, each output
   * channel's mean logit over the fold's first training batch.
   */
  private static PriorRun trainEquiUnet(TrainingConfig config, Path store, CrashingSamples data)
      throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      EquiUnet net = EquiUnet.builder().optWidth(2).optDeepSupervision(false).build();
      new FoldTrainer(
              config,
              0,
              net,
              manager,
              data,
              new LocalCheckpointStore(store),
              new TrainingListener() {})
          .train(TRAIN, VALIDATION);
      TrainingSeeds seeds = new TrainingSeeds(config.seed(), 0);
      List<String> first = seeds.caseOrder(0, TRAIN).subList(0, config.batchSize());
      int p = UNET_PATCH;
      int v = p * p * p;
      float[] images = new float[first.size() * 4 * v];
      for (int b = 0; b < first.size(); b++) {
        Sample s = unetSamples(-1).trainingSample(first.get(b), 0, seeds);
        System.arraycopy(s.image(), 0, images, b * 4 * v, 4 * v);
      }
      NDArray x = manager.create(images, new Shape(first.size(), 4, p, p, p));
      NDArray logits = net.forward(new ParameterStore(manager, false), new NDList(x), true).head();
      return new PriorRun(
          weights(net.getParameters()),
          logits.swapAxes(0, 1).reshape(3, -1).mean(new int[] {1}).toFloatArray());
    }
  }

  /**
   * Each output channel's mean logit over the first batch of one epoch at a learning rate that
   * leaves the weights where they started, the prior put in by {@code fit}.
   */
  private float[] firstBatchMeanLogits(TrainingConfig.PriorFit fit) throws IOException {
    return trainEquiUnet(priorConfig(fit, 1e-9, 1), tmp.resolve(fit.name()), unetSamples(-1))
        .firstBatchMeanLogits();
  }

  /**
   * FIRST_BATCH starts every output channel at the prior: its mean logit over the first batch is
   * the prior's logit (at a learning rate that leaves the weights where they started). With the
   * bias alone the weights' draw moves the channels away from it.
   */
  @Test
  void anOutputPriorFittedOnTheFirstBatchStartsEveryChannelAtThePrior() throws IOException {
    double logit = Math.log(0.05 / 0.95);
    float[] fitted = firstBatchMeanLogits(TrainingConfig.PriorFit.FIRST_BATCH);
    float[] plain = firstBatchMeanLogits(TrainingConfig.PriorFit.BIAS);
    assertEquals(3, fitted.length);
    double farthest = 0;
    for (int c = 0; c < 3; c++) {
      assertEquals(logit, fitted[c], 1e-3, "channel " + c);
      farthest = Math.max(farthest, Math.abs(plain[c] - logit));
    }
    assertTrue(farthest > 0.1, "the draw moves the plain bias's channels: " + farthest);
  }

  /** A resumed run keeps its trained biases: fitting again would move them back to the prior. */
  @Test
  void aResumedRunDoesNotFitTheOutputPriorAgain() throws IOException {
    TrainingConfig config = priorConfig(TrainingConfig.PriorFit.FIRST_BATCH, 0.05, 3);
    PriorRun straight = trainEquiUnet(config, tmp.resolve("straight"), unetSamples(-1));
    Path store = tmp.resolve("resumed");
    assertThrows(IOException.class, () -> trainEquiUnet(config, store, unetSamples(2)));
    PriorRun resumed = trainEquiUnet(config, store, unetSamples(-1));
    for (String name : straight.weights().keySet()) {
      assertArrayEquals(straight.weights().get(name), resumed.weights().get(name), 1e-6f, name);
    }
  }
}
