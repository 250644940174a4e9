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
}
