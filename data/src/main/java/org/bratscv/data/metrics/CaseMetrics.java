package org.bratscv.data.metrics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.volume.LabelVolume;

/**
 * One case's scores for the three regions ET, TC and WT: what the evaluate stage writes per case.
 */
public record CaseMetrics(Map<Region, RegionMetrics> regions) {
  public CaseMetrics {
    for (Region r : Region.values()) {
      RegionMetrics m = regions.get(r);
      if (m == null) {
        throw new IllegalArgumentException("case metrics lack region " + r);
      }
      if (m.region() != r) {
        throw new IllegalArgumentException(
            "case metrics hold " + m.region() + " scores under key " + r);
      }
    }
    regions = Collections.unmodifiableMap(new EnumMap<>(regions));
  }

  /**
   * Scores {@code pred} against {@code gt}; voxel spacing comes from gt's geometry. For many cases
   * reuse one {@link CaseEvaluator} instead: it keeps its scratch arrays.
   *
   * @throws IllegalArgumentException when the geometries differ or a labelmap holds a label that
   *     {@code scheme} does not know
   */
  public static CaseMetrics compute(
      LabelVolume pred, LabelVolume gt, LabelScheme scheme, MetricConventions conventions) {
    return new CaseEvaluator(scheme, conventions).evaluate(pred, gt);
  }

  public RegionMetrics get(Region region) {
    return regions.get(region);
  }

  /** Shorthand for {@code get(region).get(metric)}. */
  public double get(Region region, Metric metric) {
    return regions.get(region).get(metric);
  }

  /**
   * {@code {"ET": {"dice": .., "hd95": .., "sensitivity": .., "specificity": ..}, "TC": {..}, "WT":
   * {..}}}, undefined values (NaN) written as null; {@code lesionwise_dice} and {@code
   * lesionwise_hd95} added where they were scored.
   */
  public ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    for (Region r : Region.values()) {
      ObjectNode node = root.putObject(r.name());
      for (Metric m : Metric.values()) {
        double v = get(r, m);
        if (Double.isNaN(v) && m.ordinal() >= Metric.LESIONWISE_DICE.ordinal()) {
          continue; // not scored under this convention
        }
        if (Double.isNaN(v)) {
          node.putNull(m.key());
        } else {
          node.put(m.key(), v);
        }
      }
    }
    return root;
  }
}
