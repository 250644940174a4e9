package org.bratscv.data.preprocess;

import java.util.Map;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * A case ready for training and inference: cropped to its brain box and normalised once per
 * pipeline normalisation, with the labels cropped alike. {@link #crop()} maps predictions back to
 * the original volume.
 *
 * @param images the cropped four-channel image per normalisation (A, B)
 * @param labels the cropped labelmap, or null for a case without labels
 */
public record PreparedCase(
    String caseId,
    BrainCrop crop,
    Map<Normalization, MultiChannelVolume> images,
    LabelVolume labels) {
  public PreparedCase {
    images = Map.copyOf(images);
  }

  public MultiChannelVolume image(Normalization n) {
    MultiChannelVolume v = images.get(n);
    if (v == null) {
      throw new IllegalArgumentException(
          "case "
              + caseId
              + " was not prepared with normalisation "
              + n
              + " (have "
              + images.keySet()
              + ")");
    }
    return v;
  }

  public boolean hasLabels() {
    return labels != null;
  }

  /** The bytes its voxels take in memory: 4 per image value, 1 per label (what caches count). */
  public long voxelBytes() {
    long bytes = 0;
    for (MultiChannelVolume v : images.values()) {
      bytes += 4L * v.channelCount() * v.dims().voxelCount();
    }
    return labels == null ? bytes : bytes + labels.dims().voxelCount();
  }
}
