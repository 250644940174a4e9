package org.bratscv.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bratscv.model.loss.SoftDiceLoss;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

  /**
   * A checkpoint resumes only the configuration whose fingerprint it carries. The Dice reduction
   * joined the configuration later: with the method's batch-wise Dice the fingerprints are the ones
   * the build before it computed (these values), so checkpoints of running trainings still resume
   * after an upgrade; per sample they differ.
   */
  @Test
  void theBatchWiseDiceKeepsTheFingerprintsOfBeforeAndPerSampleChangesThem() {
    TrainingConfig b = TrainingConfig.pipelineB();
    TrainingConfig a = TrainingConfig.pipelineA().withOutputPrior(0.01);
    assertEquals(SoftDiceLoss.Reduction.BATCH, b.diceReduction());
    assertEquals("5f8c27013725e582eb24795eb3483e24", b.fingerprint(0));
    assertEquals("433a4bae9a8841af41165288530ab18b", a.fingerprint(3));

    TrainingConfig perSample = b.withDiceReduction(SoftDiceLoss.Reduction.SAMPLE);
    assertEquals(SoftDiceLoss.Reduction.SAMPLE, perSample.diceReduction());
    assertNotEquals(b.fingerprint(0), perSample.fingerprint(0));
    assertFalse(b.fingerprintText().contains("diceReduction"), b.fingerprintText());
    assertTrue(
        perSample.fingerprintText().endsWith("diceReduction=SAMPLE]"), perSample.fingerprintText());
    assertEquals(
        SoftDiceLoss.Reduction.SAMPLE, perSample.withSeed(7).withOutputPrior(0.5).diceReduction());
    assertEquals(b, perSample.withDiceReduction(SoftDiceLoss.Reduction.BATCH));
    assertThrows(IllegalArgumentException.class, () -> b.withDiceReduction(null));
  }

  /**
   * The prior's fit joined the configuration later still: fitting it as the bias (the default)
   * keeps the fingerprints above, fitting it on the first batch changes them. The fit needs a
   * prior, and dropping the prior drops the fit.
   */
  @Test
  void theBiasFitKeepsTheFingerprintsOfBeforeAndTheFirstBatchFitChangesThem() {
    TrainingConfig a = TrainingConfig.pipelineA().withOutputPrior(0.01);
    assertEquals(TrainingConfig.PriorFit.BIAS, a.outputPriorFit());
    assertFalse(a.fingerprintText().contains("outputPriorFit"), a.fingerprintText());
    assertEquals("433a4bae9a8841af41165288530ab18b", a.fingerprint(3));

    TrainingConfig fitted = a.withOutputPriorFit(TrainingConfig.PriorFit.FIRST_BATCH);
    assertTrue(
        fitted.fingerprintText().endsWith("outputPriorFit=FIRST_BATCH]"), fitted.fingerprintText());
    assertNotEquals(a.fingerprint(3), fitted.fingerprint(3));
    TrainingConfig both = fitted.withDiceReduction(SoftDiceLoss.Reduction.SAMPLE);
    assertTrue(
        both.fingerprintText().endsWith("diceReduction=SAMPLE, outputPriorFit=FIRST_BATCH]"),
        both.fingerprintText());
    assertEquals(TrainingConfig.PriorFit.FIRST_BATCH, both.withSeed(5).outputPriorFit());
    assertEquals(a, fitted.withOutputPriorFit(TrainingConfig.PriorFit.BIAS));

    assertEquals(TrainingConfig.PriorFit.BIAS, fitted.withOutputPrior(Double.NaN).outputPriorFit());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TrainingConfig.pipelineA().withOutputPriorFit(TrainingConfig.PriorFit.FIRST_BATCH));
    assertTrue(e.getMessage().contains("needs one"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> a.withOutputPriorFit(null));
  }
}
