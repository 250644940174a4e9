package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares against values computed independently with scipy ({@code bench/hd95_scipy.py}: binary
 * erosion, distance_transform_edt with sampling, np.percentile) on synthetic tumor-like cases
 * written by {@code bench/make_hd95_cases.py}, with anisotropic voxels.
 */
class ScipyAgreementTest {

  @ParameterizedTest
  @ValueSource(strings = {"aniso", "fine"})
  void matchesScipyOnSyntheticTumors(String set) throws Exception {
    ScipyCases data = ScipyCases.read(resource(set));
    CaseEvaluator evaluator = new CaseEvaluator(LabelScheme.BRATS2020, data.conventions());
    assertTrue(data.cases().size() >= 3);
    for (ScipyCases.Case c : data.cases()) {
      CaseMetrics m = evaluator.evaluate(c.pred(), c.gt());
      for (Region r : Region.values()) {
        for (Metric metric : Metric.scoredUnder(MetricConventions.BRATS2020)) {
          JsonNode expected = c.scipy().get(r.name()).get(metric.key());
          double actual = m.get(r, metric);
          String where = set + "/" + c.id() + " " + r + " " + metric.key();
          if (expected.isNull()) {
            assertTrue(Double.isNaN(actual), where + " should be undefined, got " + actual);
          } else {
            assertEquals(expected.asDouble(), actual, 1e-9 * (1 + Math.abs(actual)), where);
          }
        }
      }
    }
  }

  private static Path resource(String set) throws URISyntaxException {
    return Path.of(ScipyAgreementTest.class.getResource("scipy/" + set + "/cases.json").toURI())
        .getParent();
  }
}
