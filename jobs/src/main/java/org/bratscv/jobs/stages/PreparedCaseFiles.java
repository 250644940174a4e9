package org.bratscv.jobs.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Volume;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;

/**
 * The preprocessed-case format, one folder per case:
 *
 * <pre>
 * preprocess/cases/&lt;case_id&gt;/A_t1.nii ... A_flair.nii   float32, cropped, pipeline A normalisation
 *                              B_t1.nii ... B_flair.nii   float32, cropped, pipeline B normalisation
 *                              seg.nii                    uint8, cropped labels (cases with labels)
 *                              case.json                  {@link CaseRecord}, written last
 * </pre>
 *
 * Uncompressed NIfTI, so the train stage reads a case with a few bulk reads, and every file still
 * opens in 3D Slicer or nibabel at its place in the source volume (the affine is shifted to the
 * box).
 */
public final class PreparedCaseFiles {
  public static final String CASE_JSON = "case.json";
  public static final String SEG = "seg.nii";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PreparedCaseFiles() {}

  /** File name of one normalised channel, e.g. {@code A_t1gd.nii}. */
  public static String channelFile(Normalization n, Modality m) {
    return n.name() + "_" + m.name().toLowerCase(Locale.ROOT) + ".nii";
  }

  /** The folder of case {@code caseId} under the stage folder. */
  public static Path caseDir(OutputRoot root, String caseId) {
    return new RunFolder(root).caseDir(caseId);
  }

  /** True when the case folder holds its {@code case.json} (it is written last). */
  public static boolean isComplete(FileSystem fs, Path caseDir) throws IOException {
    return fs.exists(new Path(caseDir, CASE_JSON));
  }

  /** Writes every file of {@code pc}, each atomically, and {@code case.json} last. */
  public static void write(FileSystem fs, Path caseDir, PreparedCase pc, CaseRecord record)
      throws IOException {
    NiftiWriter writer = NiftiWriter.withDefaults();
    for (Map.Entry<Normalization, MultiChannelVolume> e : pc.images().entrySet()) {
      MultiChannelVolume v = e.getValue();
      NiftiHeader header = NiftiHeader.forGeometry(v.geometry(), NiftiDataType.FLOAT32);
      for (Modality m : Modality.values()) {
        Volume channel = v.volume(m.channel());
        OutputRoot.writeAtomically(
            fs,
            new Path(caseDir, channelFile(e.getKey(), m)),
            out -> writer.write(out, false, channel, header, NiftiDataType.FLOAT32));
      }
    }
    if (pc.hasLabels()) {
      LabelVolume labels = pc.labels();
      NiftiHeader header = NiftiHeader.forGeometry(labels.geometry(), NiftiDataType.UINT8);
      OutputRoot.writeAtomically(
          fs, new Path(caseDir, SEG), out -> writer.write(out, false, labels, header));
    }
    writeRecord(fs, caseDir, record);
  }

  static void writeRecord(FileSystem fs, Path caseDir, CaseRecord record) throws IOException {
    byte[] json = JSON.writeValueAsBytes(record);
    OutputRoot.writeAtomically(fs, new Path(caseDir, CASE_JSON), out -> out.write(json));
  }

  public static CaseRecord readRecord(FileSystem fs, Path caseDir) throws IOException {
    Path p = new Path(caseDir, CASE_JSON);
    try (InputStream in = fs.open(p)) {
      CaseRecord r = JSON.readValue(in, CaseRecord.class);
      if (r.formatVersion() != CaseRecord.FORMAT_VERSION) {
        throw new IOException(
            p
                + ": preprocessed-case format "
                + r.formatVersion()
                + ", this brats-cv reads "
                + CaseRecord.FORMAT_VERSION
                + "; rerun the preprocess stage");
      }
      return r;
    }
  }

  /** Reads a preprocessed case with the normalisations asked for (and its labels, if any). */
  public static PreparedCase read(
      FileSystem fs, Path caseDir, Set<Normalization> normalizations, NiftiReader reader)
      throws IOException {
    CaseRecord record = readRecord(fs, caseDir);
    Map<Normalization, MultiChannelVolume> images = new EnumMap<>(Normalization.class);
    for (Normalization n : normalizations) {
      List<Volume> channels = new ArrayList<>();
      for (Modality m : Modality.values()) {
        channels.add(readImage(fs, new Path(caseDir, channelFile(n, m)), reader).toVolume());
      }
      images.put(n, MultiChannelVolume.stack(channels));
    }
    LabelVolume labels = null;
    if (record.hasLabel()) {
      labels = readLabels(fs, new Path(caseDir, SEG), reader);
    }
    return new PreparedCase(record.caseId(), record.crop(), images, labels);
  }

  /** Reads one labelmap of any Hadoop file system as labels; errors name the file. */
  static LabelVolume readLabels(FileSystem fs, Path file, NiftiReader reader) throws IOException {
    long length = fs.getFileStatus(file).getLen();
    try (InputStream in = fs.open(file)) {
      return reader.readLabels(in, file.toString(), length);
    }
  }

  /** Reads one NIfTI file of any Hadoop file system whole; errors name the file. */
  public static NiftiImage readImage(FileSystem fs, Path file, NiftiReader reader)
      throws IOException {
    long length = fs.getFileStatus(file).getLen();
    try (InputStream in = fs.open(file)) {
      return reader.read(in, file.toString(), length);
    }
  }
}
