package org.bratscv.jobs.stages;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.bratscv.data.cases.BratsCase;
import org.bratscv.data.preprocess.BrainCrop;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.Padding;
import org.bratscv.jobs.run.Fingerprint;

/**
 * {@code case.json} of a preprocessed case: where it came from, how it was cropped and padded, and
 * which normalisations were written. It is written last, so its presence marks the case complete.
 *
 * @param formatVersion version of the preprocessed-case format (see README)
 * @param sourceFiles T1, T1Gd, T2, FLAIR paths as discovered, then the seg path when there is one
 * @param originalDims the source volume size (x, y, z)
 * @param originalSpacing the source voxel size in mm (x, y, z)
 * @param originalAffine the source voxel-to-world matrix, 16 values row-major
 * @param box the brain box in source voxels: x0, y0, z0, x1, y1, z1 (ends exclusive)
 * @param padding zero-padding to a multiple of 8: x before/after, y before/after, z before/after
 * @param sourceSha256 SHA-256 of each source file's bytes, in {@code sourceFiles} order
 * @param sourceStats "size:modification time" of each source file when it was read, to notice a
 *     changed file without reading it again
 * @param fingerprint SHA-256 of what the case was made from ({@link #fingerprintOf}): what the
 *     models and predictions made from this case record
 * @param sourceVolumes for T1, T1Gd, T2, FLAIR, the volume of a 4-D source file that holds it (the
 *     Decathlon's images), -1 for a 3-D file; null in records written before it existed (3-D)
 */
public record CaseRecord(
    @JsonProperty("format_version") int formatVersion,
    @JsonProperty("case_id") String caseId,
    @JsonProperty("layout") String layout,
    @JsonProperty("label_scheme") String labelScheme,
    @JsonProperty("has_label") boolean hasLabel,
    @JsonProperty("source_folder") String sourceFolder,
    @JsonProperty("source_files") List<String> sourceFiles,
    @JsonProperty("original_dims") int[] originalDims,
    @JsonProperty("original_spacing") double[] originalSpacing,
    @JsonProperty("original_affine") double[] originalAffine,
    @JsonProperty("box") int[] box,
    @JsonProperty("padding") int[] padding,
    @JsonProperty("normalizations") List<String> normalizations,
    @JsonProperty("source_sha256") List<String> sourceSha256,
    @JsonProperty("source_stats") List<String> sourceStats,
    @JsonProperty("fingerprint") String fingerprint,
    @JsonProperty("source_volumes") List<Integer> sourceVolumes) {

  /**
   * 2: source hashes, stats and the fingerprint. A case of an older format is preprocessed again.
   */
  public static final int FORMAT_VERSION = 2;

  static CaseRecord of(
      BratsCase c,
      String labelScheme,
      BrainCrop crop,
      List<String> normalizations,
      List<String> sourceSha256,
      List<String> sourceStats) {
    Geometry g = crop.original();
    BoundingBox b = crop.box();
    Padding p = crop.padding();
    List<String> files = new java.util.ArrayList<>(c.modalityPaths());
    if (c.hasLabel()) {
      files.add(c.segPath());
    }
    return new CaseRecord(
        FORMAT_VERSION,
        c.id(),
        c.layout().name().toLowerCase(java.util.Locale.ROOT),
        labelScheme,
        c.hasLabel(),
        c.folder(),
        files,
        g.dims().toArray(),
        g.spacing(),
        g.affine().toRowMajor(),
        new int[] {b.x0(), b.y0(), b.z0(), b.x1(), b.y1(), b.z1()},
        new int[] {p.xBefore(), p.xAfter(), p.yBefore(), p.yAfter(), p.zBefore(), p.zAfter()},
        normalizations,
        sourceSha256,
        sourceStats,
        fingerprintOf(labelScheme, c.hasLabel(), sourceSha256).hash(),
        c.modalityVolumes());
  }

  /**
   * What a preprocessed case is made from: the contents of its source files (modalities in order,
   * then the seg), the label scheme and the format. The normalisation is not part of it: each
   * pipeline's models name the normalisation they read.
   */
  static Fingerprint fingerprintOf(String labelScheme, boolean hasLabel, List<String> sha256) {
    return Fingerprint.builder()
        .add("format_version", FORMAT_VERSION)
        .add("label_scheme", labelScheme)
        .add("has_label", hasLabel)
        .add("source_sha256", String.join(",", sha256))
        .build();
  }

  /** The crop and padding, to map predictions back to the source volume. */
  public BrainCrop crop() {
    Geometry g =
        new Geometry(Dims.of(originalDims), originalSpacing, Affine.ofRowMajor(originalAffine));
    return new BrainCrop(
        g,
        new BoundingBox(box[0], box[1], box[2], box[3], box[4], box[5]),
        new Padding(padding[0], padding[1], padding[2], padding[3], padding[4], padding[5]));
  }

  /** The T1 file of the source case: labelmaps are written "like" it. */
  public String t1File() {
    return sourceFiles.get(0);
  }

  /** The volume of {@link #t1File} that holds T1, or -1 when the file is one 3-D volume. */
  public int t1Volume() {
    return sourceVolumes == null ? -1 : sourceVolumes.get(0);
  }

  /** The T1Gd file of the source case. */
  public String t1gdFile() {
    return sourceFiles.get(1);
  }

  /** The volume of {@link #t1gdFile} that holds T1Gd, or -1 when the file is one 3-D volume. */
  public int t1gdVolume() {
    return sourceVolumes == null ? -1 : sourceVolumes.get(1);
  }

  /** The seg file of the source case, or null for a case without labels. */
  public String segFile() {
    return hasLabel() ? sourceFiles.get(4) : null;
  }
}
