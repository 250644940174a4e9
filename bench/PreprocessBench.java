import java.util.Arrays;
import java.util.SplittableRandom;
import org.bratscv.data.augment.AugmentationA;
import org.bratscv.data.augment.AugmentationB;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.BrainBoundingBox;
import org.bratscv.data.preprocess.MinMaxPercentileNormalization;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.RandomPatch;
import org.bratscv.data.preprocess.TrainingPatch;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * Timings of preprocessing and augmentation on a BraTS-sized synthetic case (240x240x155, four
 * int-valued modalities, an ellipsoid brain of ~2.3M voxels). Build the data module first, then:
 * java -cp data/target/classes bench/PreprocessBench.java
 */
public class PreprocessBench {
  public static void main(String[] args) {
    Dims d = new Dims(240, 240, 155);
    int n = d.voxels();
    SplittableRandom rng = new SplittableRandom(1);
    float[][] ch = new float[4][n];
    byte[] labels = new byte[n];
    for (int z = 0; z < d.nz(); z++) {
      for (int y = 0; y < d.ny(); y++) {
        for (int x = 0; x < d.nx(); x++) {
          double ex = (x - 120) / 70.0, ey = (y - 125) / 85.0, ez = (z - 75) / 60.0;
          double r = ex * ex + ey * ey + ez * ez;
          if (r < 1) {
            int i = d.index(x, y, z);
            for (int c = 0; c < 4; c++) {
              ch[c][i] = (float) Math.max(1, Math.round(300 * (c + 1) + 80 * rng.nextGaussian()));
            }
            labels[i] = (byte) (r < 0.05 ? 4 : r < 0.1 ? 1 : r < 0.2 ? 2 : 0);
          }
        }
      }
    }
    MultiChannelVolume raw = new MultiChannelVolume(Geometry.isotropic(d), ch);
    LabelVolume seg = new LabelVolume(raw.geometry(), labels);
    int brain = 0;
    for (float v : ch[0]) {
      brain += v > 0 ? 1 : 0;
    }
    System.out.println("case " + d + ", brain voxels " + brain);

    for (int rep = 0; rep < 5; rep++) {
      long t0 = System.nanoTime();
      MultiChannelVolume a = Normalization.A.apply(raw);
      long t1 = System.nanoTime();
      MultiChannelVolume b = Normalization.B.apply(raw);
      long t2 = System.nanoTime();
      BoundingBox box = BrainBoundingBox.of(raw);
      long t3 = System.nanoTime();
      // Full-sort percentile, for comparison with selection.
      float[] pos = new float[brain];
      int j = 0;
      for (float v : ch[0]) {
        if (v > 0) {
          pos[j++] = v;
        }
      }
      Arrays.sort(pos);
      long t4 = System.nanoTime();
      double[] bounds = MinMaxPercentileNormalization.PAPER.clipBounds(ch[0]);
      long t5 = System.nanoTime();
      MultiChannelVolume cropped = a.crop(box);
      LabelVolume croppedSeg = seg.crop(box);
      long t6 = System.nanoTime();
      TrainingPatch p =
          TrainingPatch.sample(
              cropped, croppedSeg, LabelScheme.BRATS2020, RandomPatch.DEFAULT_SIZE, rng);
      long t7 = System.nanoTime();
      AugmentationA.Plan planA =
          new AugmentationA.Plan(
              new double[] {1, 1, 1, 1}, true, 3, new boolean[] {true, true, true}, 1);
      TrainingPatch pa = AugmentationA.PAPER.apply(p, planA);
      long t8 = System.nanoTime();
      AugmentationB.Plan planB =
          new AugmentationB.Plan(true, 3, 1.7, 0.05, new boolean[] {true, true, true});
      TrainingPatch pb = AugmentationB.PAPER.apply(p, planB);
      long t9 = System.nanoTime();
      System.out.printf(
          "rep %d: A 4ch %.0f ms | B 4ch %.0f ms | brain box %.0f ms (%s) | 1ch percentiles:"
              + " select %.0f ms vs full sort %.0f ms | crop %.0f ms | 128^3 patch %.0f ms |"
              + " aug A all-on %.0f ms | aug B all-on %.0f ms%n",
          rep,
          (t1 - t0) / 1e6,
          (t2 - t1) / 1e6,
          (t3 - t2) / 1e6,
          box.dims(),
          (t5 - t4) / 1e6,
          (t4 - t3) / 1e6,
          (t6 - t5) / 1e6,
          (t7 - t6) / 1e6,
          (t8 - t7) / 1e6,
          (t9 - t8) / 1e6);
      if (bounds[0] <= 0 || b.channelCount() != 4 || !pa.dims().equals(pb.dims())) {
        throw new AssertionError("unexpected result");
      }
    }
  }
}
