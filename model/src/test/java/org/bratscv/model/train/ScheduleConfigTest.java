package org.bratscv.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bratscv.model.optim.LearningRateSchedule;
import org.junit.jupiter.api.Test;

class ScheduleConfigTest {

  @Test
  void aWarmUpScalesTheMainPhasesFirstEpochsOnly() {
    ScheduleConfig plain = ScheduleConfig.constantThenCosine(5, 10, 0);
    ScheduleConfig warm = plain.withWarmup(2);
    LearningRateSchedule p = plain.create(0.03);
    LearningRateSchedule w = warm.create(0.03);
    assertEquals(0.01, w.learningRate(0), 1e-18);
    assertEquals(0.02, w.learningRate(1), 1e-18);
    for (int e = 2; e <= 10; e++) {
      assertEquals(p.learningRate(e), w.learningRate(e), 0, "epoch " + e);
    }
    assertEquals(plain, warm.withWarmup(0));
    assertThrows(IllegalArgumentException.class, () -> plain.withWarmup(-1));
  }

  @Test
  void withoutAWarmUpTheTextIsTheOneFingerprintsWereMadeFromBeforeTheSetting() {
    assertEquals(
        "ScheduleConfig[kind=COSINE, floor=0.0, decayStart=0, period=400]",
        ScheduleConfig.cosine(400, 0).toString());
    assertEquals(
        "ScheduleConfig[kind=COSINE, floor=0.0, decayStart=0, period=400, warmupEpochs=3]",
        ScheduleConfig.cosine(400, 0).withWarmup(3).toString());
  }
}
