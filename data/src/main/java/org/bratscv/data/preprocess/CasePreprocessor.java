package org.bratscv.data.preprocess;

import java.util.ArrayList;
import java.util.List;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.CaseConsistencyCheck.NamedVolume;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Volume;

/**
 * The per-case preprocessing of the method, in order: check the files ({@link
 * CaseConsistencyCheck}), find the brain box on the raw intensities ({@link BrainBoundingBox}),
 * crop, then normalise each modality ({@link IntensityNormalization}).
 *
 * <p>Normalising the cropped volume gives exactly what normalising the full volume and then
 * cropping would: both normalisations take their statistics from non-zero voxels only, which all
 * lie inside the box, and pipeline A's clipped minimum and maximum (the clip bounds) are reached by
 * brain voxels. It is just cheaper.
 *
 * @param normalization the intensity normalisation (pipeline A or B)
 * @param margin the brain box margin in voxels (paper: 1)
 * @param check the file checks
 */
public record CasePreprocessor(
    IntensityNormalization normalization, int margin, CaseConsistencyCheck check) {

  public CasePreprocessor {
    if (margin < 0) {
      throw new IllegalArgumentException("margin must not be negative, got " + margin);
    }
  }

  /** The paper's preprocessing for {@code pipeline}: 1-voxel margin, default checks. */
  public static CasePreprocessor paper(Normalization pipeline) {
    return new CasePreprocessor(
        pipeline.paperDefault(), BrainBoundingBox.DEFAULT_MARGIN, CaseConsistencyCheck.DEFAULT);
  }

  /**
   * Preprocesses one case.
   *
   * @param modalities the modalities in channel order (T1, T1Gd, T2, FLAIR), named for messages
   * @param segName name of the seg file for messages, or null
   * @param seg the labels, or null for a case without them
   * @param scheme the edition's labels, used to check {@code seg}
   * @throws InvalidCaseException when a check fails or a modality cannot be normalised
   */
  public PreprocessedCase run(
      String caseId,
      List<NamedVolume> modalities,
      String segName,
      LabelVolume seg,
      LabelScheme scheme) {
    check.checkCase(caseId, modalities, segName, seg, scheme);
    List<Volume> volumes = new ArrayList<>();
    for (NamedVolume m : modalities) {
      volumes.add(m.volume());
    }
    MultiChannelVolume raw = MultiChannelVolume.stack(volumes);
    BoundingBox box = BrainBoundingBox.of(raw, margin);
    MultiChannelVolume cropped = raw.crop(box);
    float[][] normalised = new float[cropped.channelCount()][];
    for (int c = 0; c < normalised.length; c++) {
      try {
        normalised[c] = normalization.apply(cropped.channel(c));
      } catch (IllegalArgumentException e) {
        String name = modalities.get(c).name();
        throw new InvalidCaseException(caseId, List.of(name), name + ": " + e.getMessage());
      }
    }
    return new PreprocessedCase(
        caseId,
        raw.geometry(),
        box,
        new MultiChannelVolume(cropped.geometry(), normalised),
        seg == null ? null : seg.crop(box));
  }
}
