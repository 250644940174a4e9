package org.bratscv.jobs.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.bratscv.data.cases.Layout;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.synth.Phantom;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.Volume;

/**
 * A test archive in the BraTS 2020 layout that mixes good synthetic cases with one broken case per
 * kind of damage the preprocess stage must survive (reliability promise 1): truncated, hostile or
 * inconsistent files, each made by mutating the bytes or header of a good file. Every broken case
 * has its own id ({@code BraTS20_Training_101}, {@code _102}, ... in {@link Kind} order), and the
 * corpus says which file of it is broken and which words the error row must contain.
 *
 * <p>Small on purpose (24x24x16 volumes, a few hundred KB in all, the gzip bomb included): it is
 * made by each test that needs it. The unlabelled variant ({@code labelled = false}, {@code
 * BraTS20_Validation_*} ids, no seg files, no seg-only kinds) serves inference-side tests.
 */
public final class BrokenCorpus {
  /** Size of every good volume. */
  public static final Dims DIMS = new Dims(24, 24, 16);

  /** Size of the off-grid volumes of {@link Kind#SHAPE_MISMATCH} and {@link Kind#SEG_SHAPE}. */
  public static final Dims OTHER_DIMS = new Dims(24, 24, 18);

  /** How far the gzip bomb inflates: far beyond its header's 24x24x16 int16 (18 KB). */
  public static final long BOMB_BYTES = 200L << 20;

  /** Number of the first broken case; good cases are numbered from 1. */
  public static final int FIRST_BROKEN_INDEX = 101;

  private static final long SEED = 11;

  private static final java.nio.charset.Charset US = StandardCharsets.US_ASCII;

  /**
   * One kind of damage: which file of the case it hits ({@code null}: the seg) and a fragment that
   * the case's error reason must contain.
   */
  public enum Kind {
    TRUNCATED_GZIP(Modality.FLAIR, "truncated gzip data"),
    NOT_NIFTI(Modality.T2, "not a NIfTI or gzip file"),
    WRONG_MAGIC(Modality.T1, "magic = \"n+9"),
    /** 30000^3 int16 declared by a 400-byte file: must fail before allocating. */
    OVERSIZED_DIMS(Modality.T1GD, "declare 54000000000000 bytes of voxel data (limit"),
    ZERO_DIM(Modality.T2, "dim[2] = 0 (must be positive)"),
    NEGATIVE_DIM(Modality.FLAIR, "dim[3] = -16 (must be positive)"),
    UNSUPPORTED_DATATYPE(Modality.T1, "unsupported datatype 32"),
    VOX_OFFSET_PAST_END(Modality.T1GD, "vox_offset = 1000000 (beyond the end"),
    SEVERAL_VOLUMES(Modality.T2, "holds 2 volumes (a 3-D volume is expected)"),
    SHAPE_MISMATCH(Modality.FLAIR, "has shape 24x24x18 but"),
    GEOMETRY_MISMATCH(Modality.T2, "voxel grid: affines differ by up to 2"),
    MISSING_MODALITY(Modality.T1GD, "missing t1ce"),
    SEG_SHAPE(null, "has shape 24x24x18 but"),
    UNKNOWN_LABELS(null, "holds labels that"),
    NON_FINITE(Modality.FLAIR, "holds 2 NaN and 1 infinite voxels"),
    ALL_ZERO(Modality.T1GD, "is all zero"),
    EMPTY_FILE(Modality.T2, "empty file (0 bytes)"),
    GZIP_BOMB(Modality.FLAIR, "gzip data inflates past the declared size");

    private final Modality modality;
    private final String reasonFragment;

    Kind(Modality modality, String reasonFragment) {
      this.modality = modality;
      this.reasonFragment = reasonFragment;
    }

    /** True for kinds that damage the seg file, which only labelled cases have. */
    public boolean needsLabels() {
      return modality == null;
    }

    public String reasonFragment() {
      return reasonFragment;
    }
  }

  /**
   * A broken case of the corpus.
   *
   * @param file name of the broken (or missing) file, which the error reason must name
   */
  public record BrokenCase(Kind kind, String caseId, String file, String reasonFragment) {}

  /**
   * A written corpus.
   *
   * @param root the archive root, for {@code data.train}/{@code data.test}
   * @param goodCaseIds the cases that must come through
   * @param broken per kind, the case that must become an error row
   */
  public record Corpus(
      Path root, boolean labelled, List<String> goodCaseIds, Map<Kind, BrokenCase> broken) {
    /** Every case id, good and broken, sorted. */
    public List<String> allCaseIds() {
      List<String> ids = new ArrayList<>(goodCaseIds);
      broken.values().forEach(b -> ids.add(b.caseId()));
      ids.sort(null);
      return ids;
    }

    /** The broken case with this id, or null for a good one. */
    public BrokenCase brokenCase(String caseId) {
      return broken.values().stream()
          .filter(b -> b.caseId().equals(caseId))
          .findFirst()
          .orElse(null);
    }
  }

  private BrokenCorpus() {}

  /**
   * Writes {@code goodCases} good cases and one broken case per applicable {@link Kind} under
   * {@code root}.
   *
   * @param labelled with seg files ({@code Training} ids) or without ({@code Validation} ids, and
   *     no seg-only kinds)
   */
  public static Corpus write(Path root, int goodCases, boolean labelled) throws IOException {
    PhantomGenerator generator = new PhantomGenerator(DIMS, SEED);
    String prefix = labelled ? "Training" : "Validation";
    List<String> good =
        new PhantomArchive(generator, prefix, 1, labelled).write(root, goodCases, id -> {});
    List<Kind> kinds =
        Arrays.stream(Kind.values()).filter(k -> labelled || !k.needsLabels()).toList();
    List<String> ids =
        new PhantomArchive(generator, prefix, FIRST_BROKEN_INDEX, labelled)
            .write(root, kinds.size(), id -> {});
    Map<Kind, BrokenCase> broken = new LinkedHashMap<>();
    for (int i = 0; i < kinds.size(); i++) {
      Kind kind = kinds.get(i);
      String id = ids.get(i);
      Path caseDir = root.resolve(id);
      String file = damage(kind, id, FIRST_BROKEN_INDEX + i, caseDir);
      broken.put(kind, new BrokenCase(kind, id, file, kind.reasonFragment()));
    }
    return new Corpus(root, labelled, good, broken);
  }

  /** Damages one good case in place; returns the name of the file it broke. */
  private static String damage(Kind kind, String id, int index, Path caseDir) throws IOException {
    Path target =
        caseDir.resolve(
            (kind.needsLabels()
                    ? Layout.BRATS2020.segBaseName(id)
                    : Layout.BRATS2020.baseName(id, kind.modality))
                + ".nii.gz");
    NiftiWriter writer = NiftiWriter.withDefaults();
    PhantomGenerator generator = new PhantomGenerator(DIMS, SEED);
    NiftiHeader int16 = NiftiHeader.forGeometry(generator.geometry(), NiftiDataType.INT16);
    switch (kind) {
      case TRUNCATED_GZIP -> {
        byte[] gz = Files.readAllBytes(target);
        Files.write(target, Arrays.copyOf(gz, gz.length / 2));
      }
      case NOT_NIFTI ->
          Files.writeString(target, "this is a note, not an image\n", StandardCharsets.UTF_8);
      case WRONG_MAGIC -> editHeader(target, b -> b.put(344, "n+9\0".getBytes(US)));
      case OVERSIZED_DIMS -> {
        // a hand-made header, no data at all: 400 bytes declaring 30000^3 int16 (54 TB)
        Files.delete(target);
        target = caseDir.resolve(Layout.BRATS2020.baseName(id, kind.modality) + ".nii");
        Files.write(target, hostileHeader(30000, 30000, 30000));
      }
      case ZERO_DIM -> editHeader(target, b -> b.putShort(44, (short) 0));
      case NEGATIVE_DIM -> editHeader(target, b -> b.putShort(46, (short) -16));
      case UNSUPPORTED_DATATYPE ->
          editHeader(target, b -> b.putShort(70, (short) 32).putShort(72, (short) 64));
      case VOX_OFFSET_PAST_END -> editHeader(target, b -> b.putFloat(108, 1_000_000f));
      case SEVERAL_VOLUMES -> {
        // dim[0] = 4, dim[4] = 2, and the volume twice
        byte[] raw = gunzip(target);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(40, (short) 4).putShort(48, (short) 2);
        byte[] two = Arrays.copyOf(raw, raw.length + raw.length - NiftiHeader.NIFTI1_VOX_OFFSET);
        System.arraycopy(
            raw,
            NiftiHeader.NIFTI1_VOX_OFFSET,
            two,
            raw.length,
            raw.length - NiftiHeader.NIFTI1_VOX_OFFSET);
        Files.write(target, gzip(two));
      }
      case SHAPE_MISMATCH -> {
        PhantomGenerator other = new PhantomGenerator(OTHER_DIMS, SEED);
        Phantom p = other.generate(id, index);
        writer.write(
            target,
            p.modalities().volume(kind.modality.channel()),
            NiftiHeader.forGeometry(other.geometry(), NiftiDataType.INT16),
            NiftiDataType.INT16);
      }
      case GEOMETRY_MISMATCH -> {
        // the same voxels on a grid shifted by 2 mm along x
        Volume v = read(target);
        Geometry g = generator.geometry();
        Geometry shifted = new Geometry(g.dims(), g.spacing(), g.affine().shiftedBy(2, 0, 0));
        writer.write(
            target,
            new Volume(shifted, v.data()),
            NiftiHeader.forGeometry(shifted, NiftiDataType.INT16),
            NiftiDataType.INT16);
      }
      case MISSING_MODALITY -> Files.delete(target);
      case SEG_SHAPE -> {
        PhantomGenerator other = new PhantomGenerator(OTHER_DIMS, SEED);
        NiftiHeader otherHeader = NiftiHeader.forGeometry(other.geometry(), NiftiDataType.UINT8);
        writer.write(target, other.generate(id, index).seg(), otherHeader);
      }
      case UNKNOWN_LABELS -> {
        // label 3 is not a BraTS 2020 label (0, 1, 2, 4)
        byte[] labels = LabelVolume.fromVolume(read(target)).labels().clone();
        for (int i = 0; i < 5; i++) {
          labels[labels.length / 2 + i] = 3;
        }
        writer.write(
            target,
            new LabelVolume(generator.geometry(), labels),
            NiftiHeader.like(int16, NiftiDataType.UINT8));
      }
      case NON_FINITE -> {
        // a float32 file with two NaN and one infinite voxel inside the brain
        float[] v = read(target).data().clone();
        int centre = DIMS.index(DIMS.nx() / 2, DIMS.ny() / 2, DIMS.nz() / 2);
        v[centre] = Float.NaN;
        v[centre + 1] = Float.NaN;
        v[centre + 2] = Float.POSITIVE_INFINITY;
        writer.write(
            target,
            new Volume(generator.geometry(), v),
            NiftiHeader.forGeometry(generator.geometry(), NiftiDataType.FLOAT32),
            NiftiDataType.FLOAT32);
      }
      case ALL_ZERO ->
          writer.write(
              target,
              new Volume(generator.geometry(), new float[DIMS.voxels()]),
              int16,
              NiftiDataType.INT16);
      case EMPTY_FILE -> Files.write(target, new byte[0]);
      case GZIP_BOMB -> writeGzipBomb(target, gunzip(target), BOMB_BYTES);
    }
    return target.getFileName().toString();
  }

  /**
   * A 400-byte uncompressed NIfTI-1 file whose header declares {@code nx x ny x nz} int16 voxels
   * (and holds none), written field by field at the offsets of the standard.
   */
  public static byte[] hostileHeader(int nx, int ny, int nz) {
    ByteBuffer b = ByteBuffer.allocate(400).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, NiftiHeader.NIFTI1_HEADER_SIZE);
    short[] dim = {3, (short) nx, (short) ny, (short) nz, 1, 1, 1, 1};
    for (int i = 0; i < 8; i++) {
      b.putShort(40 + 2 * i, dim[i]);
    }
    b.putShort(70, (short) NiftiDataType.INT16.code());
    b.putShort(72, (short) NiftiDataType.INT16.bitpix());
    for (int i = 0; i < 8; i++) {
      b.putFloat(76 + 4 * i, 1f);
    }
    b.putFloat(108, NiftiHeader.NIFTI1_VOX_OFFSET);
    b.put(344, "n+1\0".getBytes(US));
    return b.array();
  }

  /**
   * Writes a .nii.gz that starts with {@code niftiFile} (header and data) and then inflates on into
   * {@code extraZeros} more zero bytes; streamed, so making it costs a few MB of memory whatever
   * its inflated size (200 MB of zeros deflate to about 200 KB).
   */
  public static void writeGzipBomb(Path target, byte[] niftiFile, long extraZeros)
      throws IOException {
    byte[] zeros = new byte[1 << 20];
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(target), 1 << 16) {
          {
            def.setLevel(Deflater.BEST_COMPRESSION);
          }
        }) {
      out.write(niftiFile);
      for (long left = extraZeros; left > 0; left -= zeros.length) {
        out.write(zeros, 0, (int) Math.min(zeros.length, left));
      }
    }
  }

  private interface HeaderEdit {
    void apply(ByteBuffer littleEndianHeader);
  }

  /** Rewrites a little-endian .nii.gz with some header bytes changed and its data as it was. */
  private static void editHeader(Path target, HeaderEdit edit) throws IOException {
    byte[] raw = gunzip(target);
    edit.apply(ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN));
    Files.write(target, gzip(raw));
  }

  private static Volume read(Path file) throws IOException {
    return NiftiReader.withDefaults().read(file).toVolume();
  }

  private static byte[] gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(raw);
    }
    return bytes.toByteArray();
  }
}
