package org.bratscv.data.metrics;

import java.util.Arrays;
import java.util.Collection;
import org.bratscv.data.labels.Region;

/**
 * The summary rows of a results table, as the BraTS leaderboard shows them: mean, standard
 * deviation, median and the 25th and 75th percentiles of one metric of one region over cases.
 *
 * <p>Conventions: undefined values (NaN, e.g. sensitivity of a case without that region) are left
 * out and {@code n} counts only the values kept; {@code std} is the population standard deviation
 * (divides by n, numpy's default {@code ddof=0}); quantiles interpolate linearly ({@link
 * Percentiles}, numpy's default). With no values every statistic is NaN.
 */
public record SummaryStatistics(
    int n, double mean, double std, double median, double q25, double q75) {

  /** Statistics of {@code values}, NaN entries left out. */
  public static SummaryStatistics of(double[] values) {
    double[] kept = new double[values.length];
    int n = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        kept[n++] = v;
      }
    }
    if (n == 0) {
      return new SummaryStatistics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    Arrays.sort(kept, 0, n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += kept[i];
    }
    double mean = sum / n;
    // Two-pass variance: exact enough for any metric range, unlike sum-of-squares minus square.
    double squares = 0;
    for (int i = 0; i < n; i++) {
      double d = kept[i] - mean;
      squares += d * d;
    }
    double std = Math.sqrt(squares / n);
    return new SummaryStatistics(
        n,
        mean,
        std,
        Percentiles.linear(kept, n, 0.5),
        Percentiles.linear(kept, n, 0.25),
        Percentiles.linear(kept, n, 0.75));
  }

  /** Statistics of {@code metric} for {@code region} over {@code cases}. */
  public static SummaryStatistics of(Collection<CaseMetrics> cases, Region region, Metric metric) {
    double[] values = new double[cases.size()];
    int i = 0;
    for (CaseMetrics c : cases) {
      values[i++] = c.get(region, metric);
    }
    return of(values);
  }
}
