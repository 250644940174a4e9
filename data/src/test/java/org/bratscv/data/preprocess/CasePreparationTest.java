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
}
