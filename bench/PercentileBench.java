import java.util.Arrays;
import java.util.SplittableRandom;
import org.bratscv.data.preprocess.MinMaxPercentileNormalization;

/**
 * Percentile bounds of one BraTS-sized modality (240x240x155 = 8.9M voxels, 1.5M positive,
 * int-valued like int16 MRI, or continuous): selection (MinMaxPercentileNormalization.clipBounds,
 * including its scans over the whole volume) against gathering the positive voxels and sorting
 * them. Best of 15. Build the data module first, then:
 * java -cp data/target/classes bench/PercentileBench.java
 */
public class PercentileBench {
  public static void main(String[] args) {
    int n = 240 * 240 * 155;
    SplittableRandom rng = new SplittableRandom(1);
    for (boolean integral : new boolean[] {true, false}) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        if (rng.nextDouble() < 0.17) {
          double g = 600 + 150 * rng.nextGaussian();
          v[i] = (float) Math.max(1, integral ? Math.round(g) : g);
        }
      }
      long bestSelect = Long.MAX_VALUE;
      long bestSort = Long.MAX_VALUE;
      double[] b = null;
      double[] ref = null;
      for (int rep = 0; rep < 15; rep++) {
        long t0 = System.nanoTime();
        b = MinMaxPercentileNormalization.PAPER.clipBounds(v);
        long t1 = System.nanoTime();
        int m = 0;
        for (float f : v) {
          m += f > 0 ? 1 : 0;
        }
        float[] pos = new float[m];
        int j = 0;
        for (float f : v) {
          if (f > 0) {
            pos[j++] = f;
          }
        }
        Arrays.sort(pos);
        double p1 = 0.01 * (m - 1);
        double p99 = 0.99 * (m - 1);
        int l1 = (int) p1;
        int l99 = (int) p99;
        ref =
            new double[] {
              pos[l1] + (pos[l1 + 1] - pos[l1]) * (p1 - l1),
              pos[l99] + (pos[l99 + 1] - pos[l99]) * (p99 - l99)
            };
        long t2 = System.nanoTime();
        bestSelect = Math.min(bestSelect, t1 - t0);
        bestSort = Math.min(bestSort, t2 - t1);
      }
      System.out.printf(
          "%s: selection %.1f ms, gather+sort %.1f ms; bounds %s (sort: %s)%n",
          integral ? "int-valued" : "continuous",
          bestSelect / 1e6,
          bestSort / 1e6,
          Arrays.toString(b),
          Arrays.toString(ref));
    }
  }
}
