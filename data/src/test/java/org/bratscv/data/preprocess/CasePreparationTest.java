package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.CaseConsistencyCheck.NamedVolume;
import org.bratscv.data.synth.Phantom;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Volume;
import org.junit.jupiter.api.Test;

class CasePreparationTest {
  private static final String[] NAMES = {"t1.nii.gz", "t1ce.nii.gz", "t2.nii.gz", "flair.nii.gz"};

  private static List<NamedVolume> named(MultiChannelVolume v) {
    List<NamedVolume> out = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      out.add(new NamedVolume(NAMES[c], v.volume(c)));
    }
    return out;
  }

  @Test
  void cropThenNormaliseEqualsNormaliseThenCrop() {
    Phantom p = new PhantomGenerator(new Dims(40, 40, 32), 3).generate("c", 1);
    PreparedCase pc =
        CasePreparation.PAPER.prepare(
            "c",
            named(p.modalities()),
            "seg.nii.gz",
            p.seg(),
            LabelScheme.BRATS2020,
            EnumSet.of(Normalization.A, Normalization.B));
    BoundingBox box = pc.crop().box();
    assertEquals(BrainBoundingBox.of(p.modalities(), 1), box);
    for (Normalization n : Normalization.values()) {
      MultiChannelVolume full = n.apply(p.modalities()).crop(box);
      for (int c = 0; c < 4; c++) {
        assertArrayEquals(full.channel(c), pc.image(n).channel(c), 1e-6f, n + " channel " + c);
      }
    }
    assertArrayEquals(p.seg().crop(box).labels(), pc.labels().labels());
    assertEquals(pc.crop().box().dims(), pc.image(Normalization.A).dims());
    assertEquals(0, pc.crop().networkDims().nx() % 8);
  }

  @Test
  void allZeroModalityIsAnErrorNamingItsFile() {
    Phantom p = new PhantomGenerator(new Dims(24, 24, 20), 3).generate("c", 1);
    List<NamedVolume> mods = new ArrayList<>(named(p.modalities()));
    Volume zero = new Volume(p.modalities().geometry(), new float[p.seg().labels().length]);
    mods.set(2, new NamedVolume("t2.nii.gz", zero));
    InvalidCaseException e =
        assertThrows(
            InvalidCaseException.class,
            () ->
                CasePreparation.PAPER.prepare(
                    "BraTS20_Training_009",
                    mods,
                    null,
                    null,
                    LabelScheme.BRATS2020,
                    EnumSet.of(Normalization.A)));
    assertTrue(e.getMessage().startsWith("case BraTS20_Training_009"), e.getMessage());
    assertTrue(e.getMessage().contains("t2.nii.gz"), e.getMessage());
  }

  @Test
  void caseWithoutLabelsIsPreparedWithoutLabels() {
    Phantom p = new PhantomGenerator(new Dims(24, 24, 20), 4).generate("c", 1);
    PreparedCase pc =
        CasePreparation.PAPER.prepare(
            "c",
            named(p.modalities()),
            null,
            null,
            LabelScheme.BRATS2020,
            EnumSet.of(Normalization.B));
    assertTrue(!pc.hasLabels());
    assertThrows(IllegalArgumentException.class, () -> pc.image(Normalization.A));
  }

  @Test
  void boxIsTheNonZeroRegionPlusOneVoxelAndAPredictionGoesBackWhereTheLabelsWere() {
    Dims d = new Dims(24, 20, 16);
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
    List<NamedVolume> mods = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      float[] v = new float[d.voxels()];
      for (int z = 3; z <= 12; z++) {
        for (int y = 4; y <= 15; y++) {
          for (int x = 5; x <= 18; x++) {
            v[d.index(x, y, z)] = 1 + rng.nextInt(200 * (c + 1));
          }
        }
      }
      mods.add(
          new NamedVolume(NAMES[c], new Volume(org.bratscv.data.volume.Geometry.isotropic(d), v)));
    }
    byte[] l = new byte[d.voxels()];
    l[d.index(10, 10, 8)] = 4;
    l[d.index(11, 10, 8)] = 1;
    l[d.index(12, 10, 8)] = 2;
    org.bratscv.data.volume.LabelVolume seg =
        new org.bratscv.data.volume.LabelVolume(org.bratscv.data.volume.Geometry.isotropic(d), l);
    PreparedCase pc =
        CasePreparation.PAPER.prepare(
            "c", mods, "seg", seg, LabelScheme.BRATS2020, EnumSet.of(Normalization.B));
    assertEquals(new BoundingBox(4, 3, 2, 20, 17, 14), pc.crop().box());
    assertEquals(4, pc.labels().get(10 - 4, 10 - 3, 8 - 2));
    assertEquals(new Dims(16, 16, 16), pc.crop().networkDims());
    MultiChannelVolume net = pc.crop().padCropped(pc.image(Normalization.B));
    assertEquals(new Dims(16, 16, 16), net.dims());
    org.bratscv.data.volume.LabelVolume perfect = pc.labels().pad(pc.crop().padding());
    assertArrayEquals(l, pc.crop().restore(perfect).labels());
  }
}
