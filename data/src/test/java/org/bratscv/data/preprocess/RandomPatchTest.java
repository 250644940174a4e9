package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class RandomPatchTest {
  @Test
  void everyCropStartAndPadSplitIsReachedAndNothingElse() {
    // x: 10 -> 6 is a crop with starts 0..4; y: 3 -> 6 a pad with 0..3 before; z: 6 -> 6 alone.
    Dims source = new Dims(10, 3, 6);
    Dims patch = new Dims(6, 6, 6);
    int[] starts = new int[5];
    int[] befores = new int[4];
    SplittableRandom rng = new SplittableRandom(5);
    int draws = 4000;
    for (int i = 0; i < draws; i++) {
      RandomPatch p = RandomPatch.draw(source, patch, rng);
      assertEquals(patch, p.patchDims());
      starts[p.crop().x0()]++;
      assertEquals(p.crop().x0() + 6, p.crop().x1());
      assertEquals(0, p.padding().xBefore() + p.padding().xAfter());
      assertEquals(3, p.crop().y1() - p.crop().y0());
      befores[p.padding().yBefore()]++;
      assertEquals(3, p.padding().yBefore() + p.padding().yAfter());
      assertEquals(0, p.crop().z0());
      assertEquals(6, p.crop().z1());
      assertEquals(0, p.padding().zBefore() + p.padding().zAfter());
    }
    // Uniform: each of 5 starts ~800 (sd ~25), each of 4 splits ~1000 (sd ~27).
    for (int s : starts) {
      assertTrue(
          Math.abs(s - draws / 5.0) < 150, "start counts " + java.util.Arrays.toString(starts));
    }
    for (int b : befores) {
      assertTrue(
          Math.abs(b - draws / 4.0) < 160, "pad counts " + java.util.Arrays.toString(befores));
    }
  }

  @Test
  void imageAndLabelsAreCutIdentically() {
    Dims source = new Dims(12, 5, 9);
    float[] ramp = Volumes.ramp(source);
    byte[] labels = new byte[source.voxels()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (byte) new int[] {0, 1, 2, 4}[i % 4];
    }
    MultiChannelVolume image = Volumes.channels(source, ramp);
    LabelVolume seg = Volumes.labels(source, labels);
    Dims size = new Dims(8, 8, 8);
    SplittableRandom rng = new SplittableRandom(9);
    for (int trial = 0; trial < 20; trial++) {
      TrainingPatch p = TrainingPatch.sample(image, seg, LabelScheme.BRATS2020, size, rng);
      assertEquals(size, p.dims());
      float[] img = p.image().channel(0);
      float[] wt = p.target().channel(2);
      float[] et = p.target().channel(0);
      for (int i = 0; i < img.length; i++) {
        if (img[i] == 0) { // padding: background
          assertEquals(0f, wt[i]);
          continue;
        }
        int src = (int) img[i] - 1; // the ramp names the source voxel
        int label = new int[] {0, 1, 2, 4}[src % 4];
        assertEquals(label == 0 ? 0f : 1f, wt[i]);
        assertEquals(label == 4 ? 1f : 0f, et[i]);
      }
    }
  }

  @Test
  void sameSeedSamePatch() {
    Dims source = new Dims(20, 20, 20);
    RandomPatch a = RandomPatch.draw(source, new Dims(8, 30, 20), new SplittableRandom(1));
    RandomPatch b = RandomPatch.draw(source, new Dims(8, 30, 20), new SplittableRandom(1));
    assertEquals(a, b);
  }

  @Test
  void aPatchDrawnForOneSizeRefusesAnother() {
    RandomPatch p = RandomPatch.draw(new Dims(4, 4, 4), new Dims(2, 2, 2), new SplittableRandom(1));
    MultiChannelVolume other = Volumes.channels(new Dims(5, 4, 4), new float[80]);
    assertThrows(IllegalArgumentException.class, () -> p.apply(other));
  }
}
