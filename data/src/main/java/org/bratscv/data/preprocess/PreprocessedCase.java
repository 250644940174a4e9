package org.bratscv.data.preprocess;

import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * What preprocessing makes of one case: the normalised modalities (T1, T1Gd, T2, FLAIR) cropped to
 * the brain box, the labels cropped alike, and what is needed to put predictions back.
 *
 * @param caseId the case
 * @param original geometry of the files as read (where predictions go back to)
 * @param box the brain box within {@code original}
 * @param image normalised, cropped channels; their geometry is {@code original.crop(box)}
 * @param labels cropped labels, or null for a case without a seg file
 */
public record PreprocessedCase(
    String caseId,
    Geometry original,
    BoundingBox box,
    MultiChannelVolume image,
    LabelVolume labels) {
  public PreprocessedCase {
    if (!image.dims().equals(box.dims())) {
      throw new IllegalArgumentException(
          "case " + caseId + ": image of " + image.dims() + " does not match box " + box);
    }
    if (labels != null && !labels.dims().equals(box.dims())) {
      throw new IllegalArgumentException(
          "case " + caseId + ": labels of " + labels.dims() + " do not match box " + box);
    }
  }

  public boolean hasLabels() {
    return labels != null;
  }

  /** The inference framing of this case: its box, padded to multiples of {@code multiple}. */
  public BrainCrop inferenceCrop(int multiple) {
    return BrainCrop.of(original, box, multiple);
  }
}
