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
    // Decathlon and nnU-Net numberings hold BraTS 2016-2021 data: BraTS 2020 rules
    assertEquals(MetricConventions.BRATS2020, MetricConventions.forScheme(LabelScheme.MSD));
    assertEquals(MetricConventions.BRATS2023, MetricConventions.forScheme(LabelScheme.BRATS2024));
    // sqrt(240^2 + 240^2 + 155^2), rounded as BraTS does
    assertEquals(Math.sqrt(240 * 240 + 240 * 240 + 155 * 155), 373.13, 0.005);
  }

  @Test
  void parsesTheConventionsWithTheirChallengeParameters() {
    assertEquals(MetricConventions.BRATS2020, MetricConventions.parse("brats2020"));
    assertEquals(MetricConventions.BRATS2020, MetricConventions.parse("BraTS2021"));
    assertEquals("brats2023-gli", MetricConventions.parse("brats2023").id());
    MetricConventions met = MetricConventions.parse("brats2023-met");
    assertEquals(1, met.challenge().dilation());
    assertEquals(2, met.challenge().volumeThresholdMm3(), 0);
    MetricConventions men = MetricConventions.parse("brats2023:men");
    assertEquals(1, men.challenge().dilation());
    assertEquals(50, men.challenge().volumeThresholdMm3(), 0);
    for (String c : new String[] {"gli", "ssa", "ped"}) {
      MetricConventions m = MetricConventions.parse("brats2023-" + c);
      assertEquals(3, m.challenge().dilation());
      assertEquals(50, m.challenge().volumeThresholdMm3(), 0);
      assertEquals("brats2023-" + c, m.id());
    }
  }

  @Test
  void rejectsUnknownConventionsAndChallenges() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MetricConventions.parse("brats2023-xyz"));
    assertEquals(
        "unknown metric convention 'brats2023-xyz'; expected brats2020 or"
            + " brats2023[-gli|-ssa|-ped|-men|-met]",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new MetricConventions(MetricConventions.Edition.BRATS2023, null));
  }
}
