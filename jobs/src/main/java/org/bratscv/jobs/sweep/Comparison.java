package org.bratscv.jobs.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.commons.math3.stat.inference.WilcoxonSignedRankTest;
import org.bratscv.jobs.run.Table;
import org.bratscv.jobs.stages.MetricRow;

/**
 * The ablation table of a sweep, as the paper's Table 3: per variant, region and metric, the mean
 * (and population standard deviation) over folds of the per-fold mean over cases, its change
 * against the baseline, and a paired Wilcoxon signed-rank test over the cases both scored
 * (commons-math3: pairs without a difference dropped, then the exact distribution up to 30 pairs,
 * the normal approximation with continuity correction above).
 */
public final class Comparison {
  static final List<String> REGIONS = List.of("ET", "TC", "WT");

  /** The metrics compared unless a sweep names others ({@code compare_metrics}). */
  static final List<String> METRICS = List.of("dice", "hd95");

  private static final int EXACT_UP_TO = 30;

  /** One line of the table; {@code pValue} is NaN for the baseline itself or too few pairs. */
  public record Row(
      String variant,
      String baseline,
      String labelmapSet,
      String region,
      String metric,
      double mean,
      double std,
      int folds,
      double baselineMean,
      double baselineStd,
      double delta,
      double pValue,
      int pairs) {}

  /** What one variant scored: its metric rows for the compared labelmap set. */
  public record Scores(String variant, String labelmapSet, List<MetricRow> rows) {}

  private Comparison() {}

  /**
   * @param foldOf the fold that held each case out
   */
  public static List<Row> compare(
      Scores baseline, List<Scores> variants, Function<String, Integer> foldOf) {
    return compare(baseline, variants, foldOf, METRICS);
  }

  /**
   * As {@link #compare(Scores, List, Function)}, for the metrics named (keys of the metrics table:
   * {@code dice}, {@code hd95}, {@code lesionwise_dice}, ...).
   */
  public static List<Row> compare(
      Scores baseline,
      List<Scores> variants,
      Function<String, Integer> foldOf,
      List<String> metrics) {
    List<Row> out = new ArrayList<>();
    for (Scores v : variants) {
      for (String region : REGIONS) {
        for (String metric : metrics) {
          Map<String, Double> mine = values(v, region, metric);
          Map<String, Double> base = values(baseline, region, metric);
          double[] ms = foldStats(mine, foldOf);
          double[] bs = foldStats(base, foldOf);
          List<double[]> pairs = new ArrayList<>();
          for (Map.Entry<String, Double> e : mine.entrySet()) {
            Double b = base.get(e.getKey());
            if (b != null) {
              pairs.add(new double[] {e.getValue(), b});
            }
          }
          double p = v.variant().equals(baseline.variant()) ? Double.NaN : wilcoxon(pairs);
          out.add(
              new Row(
                  v.variant(),
                  baseline.variant(),
                  v.labelmapSet(),
                  region,
                  metric,
                  ms[0],
                  ms[1],
                  (int) ms[2],
                  bs[0],
                  bs[1],
                  ms[0] - bs[0],
                  p,
                  pairs.size()));
        }
      }
    }
    return out;
  }

  /** Case id to value, cases with an undefined value left out. */
  private static Map<String, Double> values(Scores s, String region, String metric) {
    Map<String, Double> out = new TreeMap<>();
    for (MetricRow r : s.rows()) {
      if (!r.getLabelmapSet().equals(s.labelmapSet()) || !r.getRegion().equals(region)) {
        continue;
      }
      double v = r.valueOrNaN(metric);
      if (!Double.isNaN(v)) {
        out.put(r.getCaseId(), v);
      }
    }
    return out;
  }

  /** {mean over folds of the fold means, population std of them, number of folds}. */
  static double[] foldStats(Map<String, Double> byCase, Function<String, Integer> foldOf) {
    Map<Integer, double[]> sums = new TreeMap<>();
    for (Map.Entry<String, Double> e : byCase.entrySet()) {
      Integer f = foldOf.apply(e.getKey());
      if (f == null) {
        continue;
      }
      double[] s = sums.computeIfAbsent(f, k -> new double[2]);
      s[0] += e.getValue();
      s[1]++;
    }
    if (sums.isEmpty()) {
      return new double[] {Double.NaN, Double.NaN, 0};
    }
    double mean = 0;
    for (double[] s : sums.values()) {
      mean += s[0] / s[1];
    }
    mean /= sums.size();
    double var = 0;
    for (double[] s : sums.values()) {
      double d = s[0] / s[1] - mean;
      var += d * d;
    }
    return new double[] {mean, Math.sqrt(var / sums.size()), sums.size()};
  }

  /**
   * Two-sided p-value of the paired signed-rank test. Pairs with no difference are dropped first
   * (Wilcoxon's procedure, as scipy's default {@code zero_method="wilcox"} and R's {@code
   * wilcox.test}); 1 when no pair differs, NaN with fewer than 2 pairs.
   */
  static double wilcoxon(List<double[]> pairs) {
    if (pairs.size() < 2) {
      return Double.NaN;
    }
    List<double[]> differing = pairs.stream().filter(p -> p[0] != p[1]).toList();
    if (differing.isEmpty()) {
      return 1.0;
    }
    double[] x = new double[differing.size()];
    double[] y = new double[differing.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = differing.get(i)[0];
      y[i] = differing.get(i)[1];
    }
    return new WilcoxonSignedRankTest().wilcoxonSignedRankTest(x, y, x.length <= EXACT_UP_TO);
  }

  /** A sweep's {@code comparison.csv}. */
  public static final Table<Row> TABLE =
      Table.<Row>builder("sweep comparison")
          .column("variant", Row::variant)
          .column("baseline", Row::baseline)
          .column("labelmap_set", Row::labelmapSet)
          .column("region", Row::region)
          .column("metric", Row::metric)
          .column("mean", r -> num(r.mean()))
          .column("std", r -> num(r.std()))
          .column("folds", r -> Integer.toString(r.folds()))
          .column("baseline_mean", r -> num(r.baselineMean()))
          .column("baseline_std", r -> num(r.baselineStd()))
          .column("delta", r -> num(r.delta()))
          .column("p_value", r -> Double.isNaN(r.pValue()) ? "" : num(r.pValue()))
          .column("n_cases", r -> Integer.toString(r.pairs()))
          .optReader(
              r ->
                  new Row(
                      r.text("variant"),
                      r.text("baseline"),
                      r.text("labelmap_set"),
                      r.text("region"),
                      r.text("metric"),
                      r.number("mean"),
                      r.number("std"),
                      r.integer("folds"),
                      r.number("baseline_mean"),
                      r.number("baseline_std"),
                      r.number("delta"),
                      r.number("p_value"),
                      r.integer("n_cases")))
          .build();

  private static String num(double v) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6g", v);
  }

  /** The metric conventions the compared rows were scored under, e.g. {@code brats2020}. */
  public static String conventions(Scores s) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (MetricRow r : s.rows()) {
      if (r.getLabelmapSet().equals(s.labelmapSet()) && r.getConvention() != null) {
        out.add(r.getConvention());
      }
    }
    return String.join(", ", out);
  }

  /** How a metric is named in a heading. */
  static String heading(String metric) {
    return switch (metric) {
      case "dice" -> "Dice";
      case "hd95" -> "HD95 (mm)";
      case "lesionwise_dice" -> "Lesion-wise Dice";
      case "lesionwise_hd95" -> "Lesion-wise HD95 (mm)";
      default -> metric;
    };
  }

  /**
   * Markdown: first the paper's Table 3 layout (per compared metric, mean (std) over folds per
   * region, one row per variant), then every row with its change and p-value.
   */
  public static String markdown(String title, List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(title).append("\n\n");
    java.util.Set<String> metrics = new java.util.LinkedHashSet<>();
    rows.forEach(r -> metrics.add(r.metric()));
    for (String metric : metrics) {
      boolean dice = !metric.contains("hd95");
      sb.append("## ").append(heading(metric)).append(": mean (std) over folds\n\n");
      sb.append("| variant | ET | TC | WT |\n|---|---|---|---|\n");
      Map<String, Map<String, Row>> byVariant = new LinkedHashMap<>();
      for (Row r : rows) {
        if (r.metric().equals(metric)) {
          byVariant.computeIfAbsent(r.variant(), k -> new LinkedHashMap<>()).put(r.region(), r);
        }
      }
      for (Map.Entry<String, Map<String, Row>> e : byVariant.entrySet()) {
        sb.append("| ").append(e.getKey());
        for (String region : REGIONS) {
          Row r = e.getValue().get(region);
          sb.append(" | ")
              .append(
                  r == null
                      ? "-"
                      : String.format(
                          Locale.ROOT, dice ? "%.4f (%.3f)" : "%.2f (%.2f)", r.mean(), r.std()));
        }
        sb.append(" |\n");
      }
      sb.append('\n');
    }
    sb.append("## Against the baseline\n\n");
    sb.append(
        "Change of the mean over folds; p: paired Wilcoxon signed-rank test over cases"
            + " (two-sided).\n\n");
    sb.append("| variant | labelmap set | region | metric | mean | change | p | cases |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (r.variant().equals(r.baseline())) {
        continue;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %.4f | %+.4f | %s | %d |\n",
              r.variant(),
              r.labelmapSet(),
              r.region(),
              r.metric(),
              r.mean(),
              r.delta(),
              Double.isNaN(r.pValue()) ? "-" : String.format(Locale.ROOT, "%.3g", r.pValue()),
              r.pairs()));
    }
    return sb.toString();
  }
}
