package org.bratscv.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DynamicLossScaleTest {
  @Test
  void startsAtTwoToTheSixteenAndDoublesAfterTwoThousandFiniteSteps() {
    DynamicLossScale s = new DynamicLossScale();
    assertEquals(65536, s.scale());
    assertEquals(1.0 / 65536, s.unscaleFactor());
    for (int i = 1; i < 2000; i++) {
      assertTrue(s.update(true));
    }
    assertEquals(65536, s.scale(), "1999 good steps: not yet");
    assertTrue(s.update(true));
    assertEquals(131072, s.scale(), "the 2000th good step doubles");
    assertEquals(new DynamicLossScale.State(131072, 0), s.state());
  }

  @Test
  void anOverflowSkipsTheStepHalvesTheScaleAndRestartsTheCount() {
    DynamicLossScale s = new DynamicLossScale();
    for (int i = 0; i < 1999; i++) {
      s.update(true);
    }
    assertFalse(s.update(false), "inf/NaN gradients: the step is skipped");
    assertEquals(32768, s.scale());
    assertEquals(new DynamicLossScale.State(32768, 0), s.state());
    assertFalse(s.update(false));
    assertEquals(16384, s.scale(), "each overflow backs off again");
    for (int i = 0; i < 1999; i++) {
      s.update(true);
    }
    assertEquals(16384, s.scale(), "the count restarted at the overflow");
    s.update(true);
    assertEquals(32768, s.scale());
  }

  @Test
  void theScaleNeverGrowsToInfinity() {
    DynamicLossScale s = new DynamicLossScale(Double.MAX_VALUE, 2, 0.5, 1);
    assertTrue(s.update(true));
    assertEquals(Double.MAX_VALUE, s.scale());
  }

  @Test
  void finitenessOfAGradient() {
    assertTrue(DynamicLossScale.allFinite(new float[] {0, -1e-8f, 65504f}));
    assertFalse(DynamicLossScale.allFinite(new float[] {1, Float.POSITIVE_INFINITY}));
    assertFalse(DynamicLossScale.allFinite(new float[] {Float.NaN}));
  }

  @Test
  void aRestoredStateContinuesWhereItStopped() {
    DynamicLossScale a = new DynamicLossScale(8, 2, 0.5, 3);
    a.update(true);
    a.update(true);
    DynamicLossScale b = new DynamicLossScale(8, 2, 0.5, 3);
    b.restore(a.state());
    assertTrue(b.update(true));
    assertEquals(16, b.scale(), "third good step after the restore's two");
    assertThrows(
        IllegalArgumentException.class, () -> b.restore(new DynamicLossScale.State(Double.NaN, 0)));
  }

  @Test
  void nonsenseSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new DynamicLossScale(0, 2, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> new DynamicLossScale(1, 1, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> new DynamicLossScale(1, 2, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new DynamicLossScale(1, 2, 0.5, 0));
  }
}
