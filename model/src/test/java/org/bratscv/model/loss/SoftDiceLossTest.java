package org.bratscv.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
