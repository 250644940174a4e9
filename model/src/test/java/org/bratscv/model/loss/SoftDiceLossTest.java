package org.bratscv.model.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.model.testing.FreedMemoryReuse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SoftDiceLossTest {

  // (N, C, D, H, W) = (2, 2, 1, 1, 2), C order: [n0c0, n0c1, n1c0, n1c1], two voxels each
  private static final Shape SHAPE = new Shape(2, 2, 1, 1, 2);
  private static final float[] PROBS = {0.5f, 1.0f, 0.2f, 0.4f, 0.0f, 0.25f, 0.6f, 0.8f};
  private static final float[] TARGET = {1, 1, 0, 0, 0, 1, 0, 0};

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private NDArray probs() {
    return manager.create(PROBS, SHAPE);
  }

  private NDArray target() {
    return manager.create(TARGET, SHAPE);
  }

  @Test
  void squaresDenominatorSumsOverBatchAndSpaceThenAveragesChannels() {
    // channel 0: S = .5 1 0 .25, R = 1 1 0 1: sum SR = 1.75, sum S^2 = 1.3125, sum R^2 = 3
    double loss0 = 1 - (2 * 1.75 + 1) / (1.3125 + 3 + 1);
    // channel 1: S = .2 .4 .6 .8, R = 0: sum SR = 0, sum S^2 = 1.2, sum R^2 = 0
    double loss1 = 1 - (2 * 0 + 1) / (1.2 + 0 + 1);
    SoftDiceLoss dice =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SQUARES, SoftDiceLoss.Input.PROBABILITIES);

    float[] perChannel = dice.perChannel(probs(), target()).toFloatArray();

    assertEquals(loss0, perChannel[0], 1e-6);
    assertEquals(loss1, perChannel[1], 1e-6);
    assertEquals((loss0 + loss1) / 2, dice.loss(probs(), target()).getFloat(), 1e-6);
    // the public reference implementation's formula in torch (bench/optim_reference.py)
    assertEquals(0.3491978645324707, dice.loss(probs(), target()).getFloat(), 1e-6);
  }

  /**
   * The gradient of the loss is the analytic one, also when the JVM frees and reuses memory between
   * forward and backward (a {@code mul(Number)} in the loss once made autograd read a freed buffer
   * there: see GraphScalars).
   */
  @Test
  void gradientIsAnalyticEvenWhenGarbageIsCollectedBeforeBackward() throws Exception {
    SoftDiceLoss dice =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SQUARES, SoftDiceLoss.Input.PROBABILITIES);
    // per channel c: I = sum S*R, Q = sum S^2 + sum R^2; d loss / d S_i = -(2 R_i (Q + 1) - (2 I
    // + 1) 2 S_i) / (Q + 1)^2 / C, with C = 2 channels
    double[] sumSr = new double[2];
    double[] q = new double[2];
    for (int i = 0; i < PROBS.length; i++) {
      int c = (i / 2) % 2;
      sumSr[c] += PROBS[i] * TARGET[i];
      q[c] += PROBS[i] * PROBS[i] + TARGET[i] * TARGET[i];
    }
    float[] expected = new float[PROBS.length];
    for (int i = 0; i < PROBS.length; i++) {
      int c = (i / 2) % 2;
      double qs = q[c] + 1;
      expected[i] =
          (float) (-(2 * TARGET[i] * qs - (2 * sumSr[c] + 1) * 2 * PROBS[i]) / (qs * qs) / 2);
    }
    for (int round = 0; round < 3; round++) {
      try (NDManager step = manager.newSubManager();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        List<NDArray> inputs = new ArrayList<>();
        NDArray total = null;
        for (int k = 0; k < 32; k++) {
          NDArray s = step.create(PROBS, SHAPE);
          s.setRequiresGradient(true);
          inputs.add(s);
          NDArray l = dice.loss(s, step.create(TARGET, SHAPE));
          total = total == null ? l : total.add(l);
        }
        FreedMemoryReuse reuse = FreedMemoryReuse.collectAndOverwrite();
        collector.backward(total);
        for (NDArray s : inputs) {
          assertArrayEquals(expected, s.getGradient().toFloatArray(), 1e-6f);
        }
        // the refilled blocks must stay taken until the gradients are read
        Reference.reachabilityFence(reuse);
      }
    }
  }

  @Test
  void sumsDenominatorUsesPlainSums() {
    // channel 0: sum S = 1.75, sum R = 3; channel 1: sum S = 2.0, sum R = 0
    double loss0 = 1 - (2 * 1.75 + 1) / (1.75 + 3 + 1);
    double loss1 = 1 - (2 * 0 + 1) / (2.0 + 0 + 1);
    SoftDiceLoss dice =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SUMS, SoftDiceLoss.Input.PROBABILITIES);

    assertEquals((loss0 + loss1) / 2, dice.loss(probs(), target()).getFloat(), 1e-6);
    assertEquals(0.4420289855, (loss0 + loss1) / 2, 1e-9);
  }

  /**
   * Per sample, each sample of the batch gets its own Dice term per channel and the terms are
   * averaged over the batch; at batch 1 that is the batch-wise loss.
   */
  @Test
  void perSampleReductionAveragesEachSamplesOwnTerms() {
    // sample 0, channel 0: S = .5 1, R = 1 1; channel 1: S = .2 .4, R = 0
    // sample 1, channel 0: S = 0 .25, R = 0 1; channel 1: S = .6 .8, R = 0
    double s0c0 = 1 - (2 * 1.5 + 1) / (1.5 + 2 + 1);
    double s0c1 = 1 - 1 / (0.6 + 1);
    double s1c0 = 1 - (2 * 0.25 + 1) / (0.25 + 1 + 1);
    double s1c1 = 1 - 1 / (1.4 + 1);
    SoftDiceLoss dice = perSampleSums();

    float[] perChannel = dice.perChannel(probs(), target()).toFloatArray();
    assertArrayEquals(
        new float[] {(float) ((s0c0 + s1c0) / 2), (float) ((s0c1 + s1c1) / 2)}, perChannel, 1e-6f);
    assertEquals((s0c0 + s0c1 + s1c0 + s1c1) / 4, dice.loss(probs(), target()).getFloat(), 1e-6);
    // not the batch-wise value (0.4420: sumsDenominatorUsesPlainSums)
    assertEquals(0.35069444, dice.loss(probs(), target()).getFloat(), 1e-6);

    SoftDiceLoss batchWise =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SUMS, SoftDiceLoss.Input.PROBABILITIES);
    for (int n = 0; n < 2; n++) {
      NDArray p = probs().get(n + ":" + (n + 1));
      NDArray t = target().get(n + ":" + (n + 1));
      assertEquals(
          batchWise.loss(p, t).getFloat(), dice.loss(p, t).getFloat(), 1e-7, "sample " + n);
    }
    assertEquals("SoftDiceLoss[SUMS, PROBABILITIES, smooth=1.0, SAMPLE]", dice.toString());
    assertEquals("SoftDiceLoss[SUMS, PROBABILITIES, smooth=1.0]", batchWise.toString());
  }

  private static SoftDiceLoss perSampleSums() {
    return new SoftDiceLoss(
        SoftDiceLoss.Denominator.SUMS,
        SoftDiceLoss.Input.PROBABILITIES,
        SoftDiceLoss.DEFAULT_SMOOTH,
        SoftDiceLoss.Reduction.SAMPLE);
  }

  /** Per sample, autograd gives the analytic gradient of the batch mean of the sample terms. */
  @Test
  void perSampleGradientIsAnalytic() {
    SoftDiceLoss dice = perSampleSums();
    // per sample n and channel c (index i / 2 of the flat (N, C, 2) layout): I = sum S*R, P = sum S
    // + sum R; d loss / d S_i = -(2 R_i (P + 1) - (2 I + 1)) / (P + 1)^2 / (N C), N = C = 2
    double[] sumSr = new double[4];
    double[] sums = new double[4];
    for (int i = 0; i < PROBS.length; i++) {
      sumSr[i / 2] += PROBS[i] * TARGET[i];
      sums[i / 2] += PROBS[i] + TARGET[i];
    }
    float[] expected = new float[PROBS.length];
    for (int i = 0; i < PROBS.length; i++) {
      double p = sums[i / 2] + 1;
      expected[i] = (float) (-(2 * TARGET[i] * p - (2 * sumSr[i / 2] + 1)) / (p * p) / 4);
    }
    try (NDManager step = manager.newSubManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray s = step.create(PROBS, SHAPE);
      s.setRequiresGradient(true);
      collector.backward(dice.loss(s, step.create(TARGET, SHAPE)));
      assertArrayEquals(expected, s.getGradient().toFloatArray(), 1e-6f);
    }
  }

  @Test
  void perfectPredictionHasZeroLossAndSmoothingKeepsEmptyChannelsAtZero() {
    SoftDiceLoss dice =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SQUARES, SoftDiceLoss.Input.PROBABILITIES);
    // the empty channel 1 predicted empty gives (0 + 1) / (0 + 0 + 1) = 1: no loss
    assertEquals(0.0, dice.loss(target(), target()).getFloat(), 1e-7);
  }

  @Test
  void logitsInputAppliesTheSigmoidFirst() {
    // logit(p) = ln(p / (1 - p)); p = 0 and 1 become -30 and 30, within 1e-13 of them
    float[] logits = new float[PROBS.length];
    for (int i = 0; i < PROBS.length; i++) {
      double p = Math.min(Math.max(PROBS[i], 1e-13), 1 - 1e-13);
      logits[i] = (float) Math.log(p / (1 - p));
    }
    SoftDiceLoss fromLogits =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SQUARES, SoftDiceLoss.Input.LOGITS);
    double expected = ((1 - 4.5 / 5.3125) + (1 - 1 / 2.2)) / 2;
    assertEquals(
        expected, fromLogits.loss(manager.create(logits, SHAPE), target()).getFloat(), 1e-6);
  }

  @Test
  void djlEvaluateTakesLabelsThenPredictions() {
    SoftDiceLoss dice =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SQUARES, SoftDiceLoss.Input.PROBABILITIES);
    assertEquals(
        dice.loss(probs(), target()).getFloat(),
        dice.evaluate(new NDList(target()), new NDList(probs())).getFloat(),
        0);
  }

  @Test
  void deepSupervisionAddsMainAndAuxiliaryLossesUnweighted() {
    SoftDiceLoss term =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SQUARES, SoftDiceLoss.Input.PROBABILITIES);
    DeepSupervisionLoss loss = new DeepSupervisionLoss(term);
    NDArray aux = manager.full(SHAPE, 0.5f);
    // aux, channel 0: sum SR = 1.5, sum S^2 = 1, sum R^2 = 3; channel 1: sum S^2 = 1
    double auxLoss = ((1 - (2 * 1.5 + 1) / (1 + 3 + 1.0)) + (1 - 1 / (1 + 0 + 1.0))) / 2;
    double mainLoss = ((1 - 4.5 / 5.3125) + (1 - 1 / 2.2)) / 2;

    float total = loss.loss(new NDList(probs(), aux, aux), target()).getFloat();

    assertEquals(mainLoss + 2 * auxLoss, total, 1e-6);
  }

  @Test
  void mismatchedShapesAreRejectedWithBothShapes() {
    SoftDiceLoss dice =
        new SoftDiceLoss(SoftDiceLoss.Denominator.SQUARES, SoftDiceLoss.Input.PROBABILITIES);
    NDArray small = manager.zeros(new Shape(2, 2, 1, 1, 1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> dice.loss(small, target()));
    assertEquals(true, e.getMessage().contains("(2, 2, 1, 1, 1)"));
  }
}
