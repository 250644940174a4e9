package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bratscv.data.labels.LabelScheme;
import org.junit.jupiter.api.Test;

class MetricConventionsTest {

  @Test
  void emptyHd95IsTheImageDiagonalUntil2021And374From2023() {
    assertEquals(373.13, MetricConventions.defaults().emptyHd95(), 0);
    assertEquals(373.13, MetricConventions.forScheme(LabelScheme.BRATS2021).emptyHd95(), 0);
    assertEquals(374, MetricConventions.forScheme(LabelScheme.BRATS2023).emptyHd95(), 0);
    assertEquals(374, MetricConventions.forScheme(LabelScheme.BRATS2024).emptyHd95(), 0);
    // sqrt(240^2 + 240^2 + 155^2), rounded as BraTS does
    assertEquals(Math.sqrt(240 * 240 + 240 * 240 + 155 * 155), 373.13, 0.005);
  }

  @Test
  void rejectsNegativeOrUndefinedDistances() {
    assertThrows(IllegalArgumentException.class, () -> new MetricConventions(-1));
    assertThrows(IllegalArgumentException.class, () -> new MetricConventions(Double.NaN));
  }
}
