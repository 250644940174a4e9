package org.bratscv.data.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;

/**
 * Times {@link CaseEvaluator} (Dice, HD95, sensitivity, specificity for ET, TC, WT) on the cases
 * that {@code bench/make_hd95_cases.py} wrote, and reports the largest difference to scipy's values
 * stored with them. One thread, one evaluator reused across cases, as a Spark task would.
 *
 * <p>Run through {@link Hd95BenchmarkTest} ({@code mvn -o -pl data test -Dtest=Hd95BenchmarkTest
 * -Dhd95.bench.dir=DIR}) or directly with {@code java -cp data/target/classes:data/target/test-
 * classes:<jackson jars> org.bratscv.data.metrics.Hd95Benchmark DIR [REPEATS]}.
 */
public final class Hd95Benchmark {
  private Hd95Benchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: Hd95Benchmark DIR [REPEATS]  (DIR from bench/make_hd95_cases.py)");
      System.exit(2);
    }
    run(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 10);
  }

  /** Prints timings and metrics per case; returns the largest |java - scipy| difference. */
  static double run(Path dir, int repeats) throws java.io.IOException {
    ScipyCases data = ScipyCases.read(dir);
    CaseEvaluator evaluator = new CaseEvaluator(LabelScheme.BRATS2020, data.conventions());
    // Warm-up so that the JIT has compiled the hot loops before timing.
    for (int w = 0; w < 3; w++) {
      for (ScipyCases.Case c : data.cases()) {
        evaluator.evaluate(c.pred(), c.gt());
      }
    }
    double worstDiff = 0;
    for (ScipyCases.Case c : data.cases()) {
      double[] ms = new double[repeats];
      CaseMetrics m = null;
      for (int k = 0; k < repeats; k++) {
        long t0 = System.nanoTime();
        m = evaluator.evaluate(c.pred(), c.gt());
        ms[k] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(ms);
      double diff = 0;
      for (Region r : Region.values()) {
        for (Metric metric : Metric.scoredUnder(MetricConventions.BRATS2020)) {
          JsonNode e = c.scipy().get(r.name()).get(metric.key());
          double a = m.get(r, metric);
          if (e.isNull() != Double.isNaN(a)) {
            diff = Double.POSITIVE_INFINITY;
          } else if (!e.isNull()) {
            diff = Math.max(diff, Math.abs(e.asDouble() - a));
          }
        }
      }
      worstDiff = Math.max(worstDiff, diff);
      System.out.printf(
          "%s %s: %.1f ms/case (median of %d, min %.1f); max |java - scipy| = %.3g%n  %s%n",
          c.id(), data.geometry().dims(), ms[repeats / 2], repeats, ms[0], diff, m.toJson());
    }
    System.out.printf("worst |java - scipy| over all cases and metrics: %.3g%n", worstDiff);
    return worstDiff;
  }
}
