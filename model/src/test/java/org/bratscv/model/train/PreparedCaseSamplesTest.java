package org.bratscv.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import org.bratscv.data.augment.Augmentation;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.BrainCrop;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class PreparedCaseSamplesTest {

  private static final Dims DIMS = new Dims(10, 12, 9);
  private static final TrainingSeeds SEEDS = new TrainingSeeds(5, 1);

  /** Channel 0 encodes each voxel's position; labels cycle through 0, 1, 2, 4. */
  private static PreparedCase preparedCase(boolean withLabels) {
    Geometry g = Geometry.isotropic(DIMS);
    int n = DIMS.voxels();
    float[][] channels = new float[4][n];
    byte[] labels = new byte[n];
    int[] cycle = {0, 1, 2, 4};
    for (int z = 0; z < DIMS.nz(); z++) {
      for (int y = 0; y < DIMS.ny(); y++) {
        for (int x = 0; x < DIMS.nx(); x++) {
          int i = DIMS.index(x, y, z);
          channels[0][i] = 1 + i;
          channels[1][i] = 0.5f;
          labels[i] = (byte) cycle[(x + y + z) % 4];
        }
      }
    }
    MultiChannelVolume image = new MultiChannelVolume(g, channels);
    BrainCrop crop = BrainCrop.of(g, new BoundingBox(0, 0, 0, 10, 12, 9), 8);
    return new PreparedCase(
        "case-7",
        crop,
        Map.of(Normalization.A, image),
        withLabels ? new LabelVolume(g, labels) : null);
  }

  private static PreparedCaseSamples samples(Augmentation augmentation) {
    return new PreparedCaseSamples(
        id -> preparedCase(true),
        Normalization.A,
        LabelScheme.BRATS2020,
        augmentation,
        new Dims(8, 8, 8));
  }

  @Test
  void validationVolumeIsTheWholeCaseInChannelFirstOrderWithRegionTargets() throws Exception {
    Sample s = samples(null).validationVolume("case-7");
    assertEquals(9, s.depth());
    assertEquals(12, s.height());
    assertEquals(10, s.width());
    assertEquals(4, s.channels());
    assertEquals(3, s.regions());
    int n = DIMS.voxels();
    // voxel (x=3, y=2, z=1): label cycle[(3 + 2 + 1) % 4] = 2, edema: WT only
    int i = DIMS.index(3, 2, 1);
    assertEquals(1 + i, s.image()[i]);
    assertEquals(0.5f, s.image()[n + i]);
    assertEquals(0f, s.target()[i]); // ET
    assertEquals(0f, s.target()[n + i]); // TC
    assertEquals(1f, s.target()[2 * n + i]); // WT
  }

  @Test
  void trainingPatchTargetsStayAlignedWithTheImage() throws Exception {
    Sample s = samples(null).trainingSample("case-7", 3, SEEDS);
    assertEquals(8, s.depth());
    int v = s.voxels();
    int[] cycle = {0, 1, 2, 4};
    for (int p = 0; p < v; p++) {
      int source = (int) s.image()[p] - 1; // channel 0 tells where the voxel came from
      int x = source % 10;
      int y = (source / 10) % 12;
      int z = source / 120;
      int label = cycle[(x + y + z) % 4];
      assertEquals(label == 4 ? 1f : 0f, s.target()[p], "ET at patch voxel " + p);
      assertEquals(label == 1 || label == 4 ? 1f : 0f, s.target()[v + p], "TC");
      assertEquals(label != 0 ? 1f : 0f, s.target()[2 * v + p], "WT");
    }
  }

  @Test
  void sameCaseAndEpochGiveTheSameAugmentedPatchOtherEpochsAnother() throws Exception {
    PreparedCaseSamples a = samples(Augmentation.paperDefault(Normalization.A));
    Sample first = a.trainingSample("case-7", 4, SEEDS);
    Sample again = a.trainingSample("case-7", 4, SEEDS);
    Sample next = a.trainingSample("case-7", 5, SEEDS);
    assertArrayEquals(first.image(), again.image());
    assertArrayEquals(first.target(), again.target());
    assertFalse(Arrays.equals(first.image(), next.image()));
  }

  @Test
  void caseWithoutLabelsIsRejectedByName() {
    PreparedCaseSamples s =
        new PreparedCaseSamples(
            id -> preparedCase(false),
            Normalization.A,
            LabelScheme.BRATS2020,
            null,
            new Dims(8, 8, 8));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.validationVolume("case-7"));
    assertEquals(true, e.getMessage().contains("case-7"));
  }

  @Test
  void caseOrderIsAPermutationFixedByTheEpoch() {
    var cases = java.util.List.of("a", "b", "c", "d", "e", "f");
    var e1 = SEEDS.caseOrder(1, cases);
    assertEquals(e1, SEEDS.caseOrder(1, cases));
    assertEquals(
        new java.util.TreeSet<>(cases), new java.util.TreeSet<>(SEEDS.caseOrder(2, cases)));
    assertFalse(e1.equals(SEEDS.caseOrder(2, cases)) && e1.equals(SEEDS.caseOrder(3, cases)));
  }
}
