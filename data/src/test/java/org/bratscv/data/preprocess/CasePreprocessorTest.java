package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.CaseConsistencyCheck.NamedVolume;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Volume;
import org.junit.jupiter.api.Test;

class CasePreprocessorTest {
  private static final Dims D = new Dims(24, 20, 16);
  private static final String[] NAMES = {"t1", "t1ce", "t2", "flair"};

  /** Four modalities: a noisy box "brain" at x 5..18, y 4..15, z 3..12, zero elsewhere. */
  private static List<NamedVolume> brain(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<NamedVolume> out = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      float[] v = new float[D.voxels()];
      for (int z = 3; z <= 12; z++) {
        for (int y = 4; y <= 15; y++) {
          for (int x = 5; x <= 18; x++) {
            v[D.index(x, y, z)] = 1 + rng.nextInt(200 * (c + 1));
          }
        }
      }
      out.add(new NamedVolume(NAMES[c], new Volume(Geometry.isotropic(D), v)));
    }
    return out;
  }

  private static LabelVolume seg() {
    byte[] l = new byte[D.voxels()];
    l[D.index(10, 10, 8)] = 4;
    l[D.index(11, 10, 8)] = 1;
    l[D.index(12, 10, 8)] = 2;
    return new LabelVolume(Geometry.isotropic(D), l);
  }

  @Test
  void normalisingTheCropEqualsCroppingTheNormalisedVolume() {
    List<NamedVolume> m = brain(1);
    for (Normalization pipeline : Normalization.values()) {
      PreprocessedCase pc =
          CasePreprocessor.paper(pipeline).run("c", m, "seg", seg(), LabelScheme.BRATS2020);
      assertEquals(new BoundingBox(4, 3, 2, 20, 17, 14), pc.box());
      List<Volume> raw = new ArrayList<>();
      m.forEach(n -> raw.add(n.volume()));
      MultiChannelVolume full = pipeline.apply(MultiChannelVolume.stack(raw)).crop(pc.box());
      for (int c = 0; c < 4; c++) {
        assertArrayEquals(full.channel(c), pc.image().channel(c), pipeline + " channel " + c);
      }
      assertEquals(Geometry.isotropic(D).crop(pc.box()), pc.image().geometry());
      assertEquals(4, pc.labels().get(10 - 4, 10 - 3, 8 - 2));
    }
  }

  @Test
  void inferenceFramingPutsAPredictionBackWhereTheLabelsWere() {
    PreprocessedCase pc =
        CasePreprocessor.paper(Normalization.B)
            .run("c", brain(2), "seg", seg(), LabelScheme.BRATS2020);
    BrainCrop crop = pc.inferenceCrop(8);
    MultiChannelVolume net = crop.padCropped(pc.image());
    assertEquals(new Dims(16, 16, 16), net.dims());
    LabelVolume predicted = pc.labels().pad(crop.padding()); // a perfect "prediction"
    assertArrayEquals(seg().labels(), crop.restore(predicted).labels());
  }

  @Test
  void aBadFileStopsTheCaseWithItsName() {
    List<NamedVolume> m = new ArrayList<>(brain(3));
    m.set(2, new NamedVolume("t2", new Volume(Geometry.isotropic(D), new float[D.voxels()])));
    InvalidCaseException e =
        assertThrows(
            InvalidCaseException.class,
            () ->
                CasePreprocessor.paper(Normalization.A)
                    .run("c7", m, null, null, LabelScheme.BRATS2020));
    assertTrue(e.getMessage().startsWith("case c7: t2 is all zero"), e.getMessage());
  }

  @Test
  void aCaseWithoutLabelsHasNone() {
    PreprocessedCase pc =
        CasePreprocessor.paper(Normalization.A)
            .run("v", brain(4), null, null, LabelScheme.BRATS2020);
    assertFalse(pc.hasLabels());
  }
}
