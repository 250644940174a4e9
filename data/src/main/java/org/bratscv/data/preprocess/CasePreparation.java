package org.bratscv.data.preprocess;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.CaseConsistencyCheck.NamedVolume;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Volume;

/**
 * Preprocessing of one case, as the paper does it: check that the four modalities (and the seg)
 * agree, crop every channel to the brain box (non-zero in any modality, plus a margin), then
 * normalise each modality once per requested pipeline. Cropping first is exact: the box holds every
 * non-zero voxel, which is all either normalisation takes its statistics from.
 *
 * @param check the consistency rules (affine tolerance)
 * @param margin voxels added around the brain box (1 in the paper)
 * @param multiple inference padding multiple (8: three 2x poolings)
 */
public record CasePreparation(CaseConsistencyCheck check, int margin, int multiple) {
  public static final CasePreparation PAPER =
      new CasePreparation(
          CaseConsistencyCheck.DEFAULT,
          BrainBoundingBox.DEFAULT_MARGIN,
          BrainCrop.DEFAULT_MULTIPLE);

  /**
   * Prepares a case.
   *
   * @param modalities T1, T1Gd, T2, FLAIR in that order, each named for messages (its file name)
   * @param segName the seg file's name, or null
   * @param seg the labels, or null for a case without labels
   * @throws InvalidCaseException naming the case and file when the inputs cannot be used
   */
  public PreparedCase prepare(
      String caseId,
      List<NamedVolume> modalities,
      String segName,
      LabelVolume seg,
      LabelScheme scheme,
      Set<Normalization> normalizations) {
    if (modalities.size() != 4) {
      throw new InvalidCaseException(
          caseId, List.of(), "expected 4 modalities, got " + modalities.size());
    }
    check.checkCase(caseId, modalities, segName, seg, scheme);
    List<Volume> volumes = new ArrayList<>();
    for (NamedVolume m : modalities) {
      volumes.add(m.volume());
    }
    MultiChannelVolume image = MultiChannelVolume.stack(volumes);
    BrainCrop crop = BrainCrop.of(image, margin, multiple);
    MultiChannelVolume cropped = image.crop(crop.box());
    Map<Normalization, MultiChannelVolume> images = new EnumMap<>(Normalization.class);
    for (Normalization n : normalizations) {
      float[][] channels = new float[4][];
      for (int c = 0; c < 4; c++) {
        try {
          channels[c] = n.paperDefault().apply(cropped.channel(c));
        } catch (IllegalArgumentException e) {
          String file = modalities.get(c).name();
          throw new InvalidCaseException(
              caseId, List.of(file), file + ": normalisation " + n + " failed: " + e.getMessage());
        }
      }
      images.put(n, new MultiChannelVolume(cropped.geometry(), channels));
    }
    LabelVolume labels = seg == null ? null : seg.crop(crop.box());
    return new PreparedCase(caseId, crop, images, labels);
  }
}
