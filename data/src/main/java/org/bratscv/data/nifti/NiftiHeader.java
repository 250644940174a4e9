package org.bratscv.data.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;

/**
 * Every field of a NIfTI-1 or NIfTI-2 header, immutable, with the derived facts the pipeline uses:
 * spatial size, voxel spacing and the voxel-to-world affine chosen by nibabel's rule (sform when
 * {@code sform_code > 0}, else qform when {@code qform_code > 0}, else nibabel's base affine from
 * pixdim). Headers for writing are made with {@link #like} (keep a source image's geometry) or
 * {@link #forGeometry}.
 *
 * <p>Both versions are held in the wider NIfTI-2 types (long dims, double floats).
 */
public final class NiftiHeader {
  /** Size of the NIfTI-1 header; {@code sizeof_hdr} of a NIfTI-1 file. */
  public static final int NIFTI1_HEADER_SIZE = 348;

  /** Size of the NIfTI-2 header; {@code sizeof_hdr} of a NIfTI-2 file. */
  public static final int NIFTI2_HEADER_SIZE = 540;

  /** vox_offset of the files brats-cv writes: header plus the 4-byte extension flag. */
  public static final int NIFTI1_VOX_OFFSET = 352;

  /** NIfTI {@code xyzt_units} code for millimetres. */
  public static final int UNITS_MM = 2;

  /** {@code qform_code}/{@code sform_code} 1: scanner-based anatomical coordinates. */
  public static final int XFORM_SCANNER_ANAT = 1;

  /** {@code qform_code}/{@code sform_code} 2: coordinates aligned to another file or truth. */
  public static final int XFORM_ALIGNED_ANAT = 2;

  // nibabel's quaternion_threshold: how far 1 - |bcd|^2 may go below 0 through storage rounding
  private static final double QUATERNION_THRESHOLD_V1 = 3 * 1.1920929e-7;
  private static final double QUATERNION_THRESHOLD_V2 = 3 * 2.220446049250313e-16;

  private final int version;
  private final ByteOrder byteOrder;
  private final long[] dim;
  private final int datatype;
  private final int bitpix;
  private final double[] pixdim;
  private final long voxOffset;
  private final double sclSlope;
  private final double sclInter;
  private final int xyztUnits;
  private final int qformCode;
  private final int sformCode;
  private final double quaternB;
  private final double quaternC;
  private final double quaternD;
  private final double qoffsetX;
  private final double qoffsetY;
  private final double qoffsetZ;
  private final double[] srowX;
  private final double[] srowY;
  private final double[] srowZ;
  private final String descrip;
  private final String auxFile;
  private final int intentCode;
  private final double intentP1;
  private final double intentP2;
  private final double intentP3;
  private final String intentName;
  private final int dimInfo;
  private final long sliceStart;
  private final long sliceEnd;
  private final int sliceCode;
  private final double sliceDuration;
  private final double toffset;
  private final double calMax;
  private final double calMin;
  private final NiftiDataType dataType;
  private final Dims spatialDims;
  private final Affine affine;

  private NiftiHeader(Fields f) {
    this.version = f.version;
    this.byteOrder = f.byteOrder;
    this.dim = f.dim.clone();
    this.datatype = f.datatype;
    this.bitpix = f.bitpix;
    this.pixdim = f.pixdim.clone();
    this.voxOffset = f.voxOffset;
    this.sclSlope = f.sclSlope;
    this.sclInter = f.sclInter;
    this.xyztUnits = f.xyztUnits;
    this.qformCode = f.qformCode;
    this.sformCode = f.sformCode;
    this.quaternB = f.quaternB;
    this.quaternC = f.quaternC;
    this.quaternD = f.quaternD;
    this.qoffsetX = f.qoffsetX;
    this.qoffsetY = f.qoffsetY;
    this.qoffsetZ = f.qoffsetZ;
    this.srowX = f.srowX.clone();
    this.srowY = f.srowY.clone();
    this.srowZ = f.srowZ.clone();
    this.descrip = f.descrip;
    this.auxFile = f.auxFile;
    this.intentCode = f.intentCode;
    this.intentP1 = f.intentP1;
    this.intentP2 = f.intentP2;
    this.intentP3 = f.intentP3;
    this.intentName = f.intentName;
    this.dimInfo = f.dimInfo;
    this.sliceStart = f.sliceStart;
    this.sliceEnd = f.sliceEnd;
    this.sliceCode = f.sliceCode;
    this.sliceDuration = f.sliceDuration;
    this.toffset = f.toffset;
    this.calMax = f.calMax;
    this.calMin = f.calMin;
    validateDims();
    if (hasScaling() && !Double.isFinite(sclInter)) {
      // nibabel refuses this too: a valid slope with an intercept that would make every voxel NaN
      throw new IllegalArgumentException(
          "scl_inter = " + sclInter + " (must be finite when scl_slope = " + sclSlope + ")");
    }
    this.dataType = NiftiDataType.ofCode(datatype);
    this.spatialDims =
        new Dims((int) dim[1], dim[0] >= 2 ? (int) dim[2] : 1, dim[0] >= 3 ? (int) dim[3] : 1);
    this.affine = computeAffine();
  }

  private void validateDims() {
    if (dim[0] < 1 || dim[0] > 7) {
      throw new IllegalArgumentException("dim[0] = " + dim[0] + " (must be 1..7)");
    }
    for (int i = 1; i <= dim[0]; i++) {
      if (dim[i] <= 0) {
        throw new IllegalArgumentException("dim[" + i + "] = " + dim[i] + " (must be positive)");
      }
      if (dim[i] > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "dim[" + i + "] = " + dim[i] + " (larger than " + Integer.MAX_VALUE + ")");
      }
    }
  }

  /** A header value as the file stores it: float32 digits for NIfTI-1. */
  private String number(double v) {
    return version == 1 ? Float.toString((float) v) : Double.toString(v);
  }

  private Affine computeAffine() {
    if (sformCode > 0) {
      return Affine.ofRows(srowX, srowY, srowZ);
    }
    if (qformCode > 0) {
      // nibabel's rule for qfac: -1 when pixdim[0] is -1, otherwise 1 (0 and junk become 1)
      double qfac = pixdim[0] == -1 ? -1 : 1;
      double[] zooms = {
        Math.abs(pixdim[1]), Math.abs(pixdim[2]), Math.abs(pixdim[3]),
      };
      double threshold = version == 1 ? QUATERNION_THRESHOLD_V1 : QUATERNION_THRESHOLD_V2;
      try {
        return Affine.ofRowMajor(
            Quaternions.qformAffine(
                quaternB,
                quaternC,
                quaternD,
                qfac,
                zooms,
                new double[] {qoffsetX, qoffsetY, qoffsetZ},
                threshold));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "quatern_b/c/d = "
                + number(quaternB)
                + ", "
                + number(quaternC)
                + ", "
                + number(quaternD)
                + " with qform_code = "
                + qformCode
                + " ("
                + e.getMessage()
                + ")",
            e);
      }
    }
    // neither code set: nibabel's base affine (get_base_affine): the voxel sizes with x flipped
    // (radiological convention) and the volume's centre at the world origin
    double[] s = spacing();
    long[] n = {dim[1], dim[0] >= 2 ? dim[2] : 1, dim[0] >= 3 ? dim[3] : 1};
    return Affine.ofRowMajor(
        -s[0],
        0,
        0,
        (n[0] - 1) / 2.0 * s[0],
        0,
        s[1],
        0,
        -(n[1] - 1) / 2.0 * s[1],
        0,
        0,
        s[2],
        -(n[2] - 1) / 2.0 * s[2],
        0,
        0,
        0,
        1);
  }

  /**
   * Parses a header from the first bytes of a file (at least {@code sizeof_hdr} of them), detecting
   * version and byte order from {@code sizeof_hdr}, and validates magic, dims and datatype.
   *
   * @param name what error messages call the file
   */
  static NiftiHeader parse(byte[] bytes, int length, String name, boolean gzipped)
      throws NiftiFormatException {
    String what = gzipped ? "gzip content is not NIfTI" : "not a NIfTI or gzip file";
    if (length < 4) {
      throw new NiftiFormatException(
          name,
          what
              + ": only "
              + length
              + " byte"
              + (length == 1 ? "" : "s")
              + " (a NIfTI-1 header has 348)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN);
    int sizeLe = b.getInt(0);
    int sizeBe = Integer.reverseBytes(sizeLe);
    ByteOrder order;
    int size;
    if (sizeLe == NIFTI1_HEADER_SIZE || sizeLe == NIFTI2_HEADER_SIZE) {
      order = ByteOrder.LITTLE_ENDIAN;
      size = sizeLe;
    } else if (sizeBe == NIFTI1_HEADER_SIZE || sizeBe == NIFTI2_HEADER_SIZE) {
      order = ByteOrder.BIG_ENDIAN;
      size = sizeBe;
    } else {
      throw new NiftiFormatException(
          name,
          what
              + ": sizeof_hdr = "
              + sizeLe
              + " (must be 348 for NIfTI-1 or 540 for NIfTI-2, in either byte order; first bytes "
              + hex(bytes, Math.min(length, 4))
              + (gzipped ? "" : "; a .nii.gz starts with 1f 8b")
              + ")");
    }
    if (length < size) {
      throw new NiftiFormatException(
          name,
          "truncated header: "
              + length
              + " bytes, NIfTI-"
              + (size == NIFTI1_HEADER_SIZE ? 1 : 2)
              + " needs "
              + size);
    }
    b.order(order);
    Fields f = size == NIFTI1_HEADER_SIZE ? parseV1(b, name) : parseV2(b, name);
    f.byteOrder = order;
    try {
      return new NiftiHeader(f);
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      if (msg.startsWith("unsupported datatype")) {
        msg = "datatype = " + f.datatype + ": " + msg;
      }
      throw new NiftiFormatException(name, msg, e);
    }
  }

  private static Fields parseV1(ByteBuffer b, String name) throws NiftiFormatException {
    String magic = new String(bytes(b, 344, 4), StandardCharsets.ISO_8859_1);
    if (!magic.equals("n+1\0")) {
      throw new NiftiFormatException(
          name,
          magic.equals("ni1\0")
              ? "magic = \"ni1\" (a .hdr/.img pair; only single-file .nii is supported)"
              : "magic = " + quoted(magic) + " (must be \"n+1\" for a NIfTI-1 .nii file)");
    }
    Fields f = new Fields();
    f.version = 1;
    for (int i = 0; i < 8; i++) {
      f.dim[i] = b.getShort(40 + 2 * i);
    }
    f.intentP1 = b.getFloat(56);
    f.intentP2 = b.getFloat(60);
    f.intentP3 = b.getFloat(64);
    f.intentCode = b.getShort(68);
    f.datatype = b.getShort(70);
    f.bitpix = b.getShort(72);
    f.sliceStart = b.getShort(74);
    for (int i = 0; i < 8; i++) {
      f.pixdim[i] = b.getFloat(76 + 4 * i);
    }
    f.voxOffset = voxOffset(b.getFloat(108), name);
    f.sclSlope = b.getFloat(112);
    f.sclInter = b.getFloat(116);
    f.sliceEnd = b.getShort(120);
    f.sliceCode = b.get(122) & 0xFF;
    f.xyztUnits = b.get(123) & 0xFF;
    f.calMax = b.getFloat(124);
    f.calMin = b.getFloat(128);
    f.sliceDuration = b.getFloat(132);
    f.toffset = b.getFloat(136);
    f.descrip = cString(bytes(b, 148, 80));
    f.auxFile = cString(bytes(b, 228, 24));
    f.qformCode = b.getShort(252);
    f.sformCode = b.getShort(254);
    f.quaternB = b.getFloat(256);
    f.quaternC = b.getFloat(260);
    f.quaternD = b.getFloat(264);
    f.qoffsetX = b.getFloat(268);
    f.qoffsetY = b.getFloat(272);
    f.qoffsetZ = b.getFloat(276);
    for (int i = 0; i < 4; i++) {
      f.srowX[i] = b.getFloat(280 + 4 * i);
      f.srowY[i] = b.getFloat(296 + 4 * i);
      f.srowZ[i] = b.getFloat(312 + 4 * i);
    }
    f.intentName = cString(bytes(b, 328, 16));
    f.dimInfo = b.get(39) & 0xFF;
    checkVoxOffset(f, NIFTI1_HEADER_SIZE, name);
    return f;
  }

  private static Fields parseV2(ByteBuffer b, String name) throws NiftiFormatException {
    byte[] magic = bytes(b, 4, 8);
    String m = new String(magic, StandardCharsets.ISO_8859_1);
    if (!m.equals("n+2\0\r\n\032\n")) {
      throw new NiftiFormatException(
          name,
          m.startsWith("ni2\0")
              ? "magic = \"ni2\" (a .hdr/.img pair; only single-file .nii is supported)"
              : "magic = "
                  + quoted(m)
                  + " (must be \"n+2\\0\\r\\n\\032\\n\" for a NIfTI-2 .nii file)");
    }
    Fields f = new Fields();
    f.version = 2;
    f.datatype = b.getShort(12);
    f.bitpix = b.getShort(14);
    for (int i = 0; i < 8; i++) {
      f.dim[i] = b.getLong(16 + 8 * i);
    }
    f.intentP1 = b.getDouble(80);
    f.intentP2 = b.getDouble(88);
    f.intentP3 = b.getDouble(96);
    for (int i = 0; i < 8; i++) {
      f.pixdim[i] = b.getDouble(104 + 8 * i);
    }
    f.voxOffset = b.getLong(168);
    f.sclSlope = b.getDouble(176);
    f.sclInter = b.getDouble(184);
    f.calMax = b.getDouble(192);
    f.calMin = b.getDouble(200);
    f.sliceDuration = b.getDouble(208);
    f.toffset = b.getDouble(216);
    f.sliceStart = b.getLong(224);
    f.sliceEnd = b.getLong(232);
    f.descrip = cString(bytes(b, 240, 80));
    f.auxFile = cString(bytes(b, 320, 24));
    f.qformCode = b.getInt(344);
    f.sformCode = b.getInt(348);
    f.quaternB = b.getDouble(352);
    f.quaternC = b.getDouble(360);
    f.quaternD = b.getDouble(368);
    f.qoffsetX = b.getDouble(376);
    f.qoffsetY = b.getDouble(384);
    f.qoffsetZ = b.getDouble(392);
    for (int i = 0; i < 4; i++) {
      f.srowX[i] = b.getDouble(400 + 8 * i);
      f.srowY[i] = b.getDouble(432 + 8 * i);
      f.srowZ[i] = b.getDouble(464 + 8 * i);
    }
    f.sliceCode = b.getInt(496);
    f.xyztUnits = b.getInt(500);
    f.intentCode = b.getInt(504);
    f.intentName = cString(bytes(b, 508, 16));
    f.dimInfo = b.get(524) & 0xFF;
    checkVoxOffset(f, NIFTI2_HEADER_SIZE, name);
    return f;
  }

  private static long voxOffset(float v, String name) throws NiftiFormatException {
    if (!(v >= 0) || v != Math.rint(v) || v > 1e15) {
      throw new NiftiFormatException(
          name, "vox_offset = " + v + " (must be a whole, non-negative number of bytes)");
    }
    return (long) v;
  }

  private static void checkVoxOffset(Fields f, int headerSize, String name)
      throws NiftiFormatException {
    // the header and the 4-byte extension flag come first (nibabel refuses less as well)
    long min = headerSize + 4;
    if (f.voxOffset < min) {
      throw new NiftiFormatException(
          name,
          "vox_offset = "
              + f.voxOffset
              + " (must be at least "
              + min
              + ": the "
              + headerSize
              + "-byte header and the 4-byte extension flag come first)");
    }
  }

  private static byte[] bytes(ByteBuffer b, int offset, int n) {
    byte[] out = new byte[n];
    b.get(offset, out);
    return out;
  }

  private static String cString(byte[] raw) {
    int end = 0;
    while (end < raw.length && raw[end] != 0) {
      end++;
    }
    return new String(raw, 0, end, StandardCharsets.ISO_8859_1);
  }

  private static String quoted(String magic) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : magic.toCharArray()) {
      if (c >= 32 && c < 127) {
        sb.append(c);
      } else {
        sb.append(String.format("\\x%02x", (int) c));
      }
    }
    return sb.append('"').toString();
  }

  private static String hex(byte[] bytes, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xFF));
    }
    return sb.toString();
  }

  /**
   * A header for writing a NIfTI-1 image on the grid of {@code source}: same dims (spatial, as
   * 3-D), pixdim, qform and sform with their codes, quaternion, xyzt_units, slice and description
   * fields, so that the written image (e.g. a labelmap) lands exactly on the source in viewers. The
   * datatype is {@code type}, scaling none (slope 1, inter 0), intent and display range cleared,
   * little-endian, vox_offset 352. A NIfTI-2 source is narrowed to NIfTI-1's float fields.
   */
  public static NiftiHeader like(NiftiHeader source, NiftiDataType type) {
    return new NiftiHeader(likeFields(source, type).narrowedToNifti1());
  }

  /**
   * As {@link #like}, for a 4-D image of {@code volumes} 3-D volumes on the source's grid (e.g. one
   * probability map per tumor region): dim[0] = 4, dim[4] = volumes, pixdim[4] = 1, and the intent
   * name (at most 16 characters) names the volumes.
   */
  public static NiftiHeader likeVolumes(
      NiftiHeader source, NiftiDataType type, int volumes, String intentName) {
    if (volumes < 1 || volumes > Short.MAX_VALUE) {
      throw new IllegalArgumentException("volumes must be in [1, 32767], got " + volumes);
    }
    Fields f = likeFields(source, type);
    if (volumes > 1) {
      f.dim[0] = 4;
      f.dim[4] = volumes;
      f.pixdim[4] = 1;
    }
    f.intentName = intentName.length() > 16 ? intentName.substring(0, 16) : intentName;
    return new NiftiHeader(f.narrowedToNifti1());
  }

  private static Fields likeFields(NiftiHeader source, NiftiDataType type) {
    Fields f = new Fields();
    f.version = 1;
    f.byteOrder = ByteOrder.LITTLE_ENDIAN;
    Dims d = source.spatialDims;
    setDims(f, d);
    f.datatype = type.code();
    f.bitpix = type.bitpix();
    f.pixdim = source.pixdim.clone();
    f.voxOffset = NIFTI1_VOX_OFFSET;
    f.sclSlope = 1;
    f.sclInter = 0;
    f.xyztUnits = source.xyztUnits;
    f.qformCode = source.qformCode;
    f.sformCode = source.sformCode;
    f.quaternB = source.quaternB;
    f.quaternC = source.quaternC;
    f.quaternD = source.quaternD;
    f.qoffsetX = source.qoffsetX;
    f.qoffsetY = source.qoffsetY;
    f.qoffsetZ = source.qoffsetZ;
    f.srowX = source.srowX.clone();
    f.srowY = source.srowY.clone();
    f.srowZ = source.srowZ.clone();
    f.descrip = source.descrip;
    f.auxFile = source.auxFile;
    f.dimInfo = source.dimInfo;
    f.sliceStart = source.sliceStart;
    f.sliceEnd = source.sliceEnd;
    f.sliceCode = source.sliceCode;
    f.sliceDuration = source.sliceDuration;
    f.toffset = source.toffset;
    return f;
  }

  /**
   * A NIfTI-1 header for an image with geometry {@code g} and no source file: sform and qform both
   * hold {@code g.affine()} (sform_code 2 "aligned", qform_code 1 "scanner"), with the quaternion,
   * qfac and pixdim computed from the affine as nibabel's {@code set_qform} does (pixdim[1..3] are
   * the affine's column lengths), xyzt_units mm.
   *
   * @throws IllegalArgumentException when the affine has a zero or singular 3x3 part
   */
  public static NiftiHeader forGeometry(Geometry g, NiftiDataType type) {
    Fields f = new Fields();
    f.version = 1;
    f.byteOrder = ByteOrder.LITTLE_ENDIAN;
    setDims(f, g.dims());
    f.datatype = type.code();
    f.bitpix = type.bitpix();
    double[] a = g.affine().toRowMajor();
    double[] q = Quaternions.fromAffine(a);
    Arrays.fill(f.pixdim, 1.0);
    f.pixdim[0] = q[3];
    f.pixdim[1] = q[4];
    f.pixdim[2] = q[5];
    f.pixdim[3] = q[6];
    f.quaternB = q[0];
    f.quaternC = q[1];
    f.quaternD = q[2];
    f.qoffsetX = a[3];
    f.qoffsetY = a[7];
    f.qoffsetZ = a[11];
    f.srowX = Arrays.copyOfRange(a, 0, 4);
    f.srowY = Arrays.copyOfRange(a, 4, 8);
    f.srowZ = Arrays.copyOfRange(a, 8, 12);
    f.qformCode = XFORM_SCANNER_ANAT;
    f.sformCode = XFORM_ALIGNED_ANAT;
    f.voxOffset = NIFTI1_VOX_OFFSET;
    f.sclSlope = 1;
    f.sclInter = 0;
    f.xyztUnits = UNITS_MM;
    return new NiftiHeader(f.narrowedToNifti1());
  }

  private static void setDims(Fields f, Dims d) {
    for (int n : d.toArray()) {
      if (n > Short.MAX_VALUE) {
        throw new IllegalArgumentException(
            "a NIfTI-1 file holds at most 32767 voxels per axis, image is " + d);
      }
    }
    Arrays.fill(f.dim, 1);
    f.dim[0] = 3;
    f.dim[1] = d.nx();
    f.dim[2] = d.ny();
    f.dim[3] = d.nz();
  }

  /**
   * The 352 bytes (348-byte header + empty extension flag) that start a NIfTI-1 file with this
   * header, in this header's byte order.
   *
   * @throws IllegalStateException for a NIfTI-2 header (brats-cv writes NIfTI-1 only)
   */
  byte[] toNifti1Bytes() {
    if (version != 1) {
      throw new IllegalStateException("only NIfTI-1 headers are written; use NiftiHeader.like");
    }
    ByteBuffer b = ByteBuffer.allocate(NIFTI1_VOX_OFFSET).order(byteOrder);
    b.putInt(0, NIFTI1_HEADER_SIZE);
    b.put(38, (byte) 'r'); // "regular", as the reference library writes
    b.put(39, (byte) dimInfo);
    for (int i = 0; i < 8; i++) {
      b.putShort(40 + 2 * i, (short) dim[i]);
    }
    b.putFloat(56, (float) intentP1);
    b.putFloat(60, (float) intentP2);
    b.putFloat(64, (float) intentP3);
    b.putShort(68, (short) intentCode);
    b.putShort(70, (short) datatype);
    b.putShort(72, (short) bitpix);
    b.putShort(74, (short) sliceStart);
    for (int i = 0; i < 8; i++) {
      b.putFloat(76 + 4 * i, (float) pixdim[i]);
    }
    b.putFloat(108, voxOffset);
    b.putFloat(112, (float) sclSlope);
    b.putFloat(116, (float) sclInter);
    b.putShort(120, (short) sliceEnd);
    b.put(122, (byte) sliceCode);
    b.put(123, (byte) xyztUnits);
    b.putFloat(124, (float) calMax);
    b.putFloat(128, (float) calMin);
    b.putFloat(132, (float) sliceDuration);
    b.putFloat(136, (float) toffset);
    putString(b, 148, 80, descrip);
    putString(b, 228, 24, auxFile);
    b.putShort(252, (short) qformCode);
    b.putShort(254, (short) sformCode);
    b.putFloat(256, (float) quaternB);
    b.putFloat(260, (float) quaternC);
    b.putFloat(264, (float) quaternD);
    b.putFloat(268, (float) qoffsetX);
    b.putFloat(272, (float) qoffsetY);
    b.putFloat(276, (float) qoffsetZ);
    for (int i = 0; i < 4; i++) {
      b.putFloat(280 + 4 * i, (float) srowX[i]);
      b.putFloat(296 + 4 * i, (float) srowY[i]);
      b.putFloat(312 + 4 * i, (float) srowZ[i]);
    }
    putString(b, 328, 16, intentName);
    b.put(344, new byte[] {'n', '+', '1', 0});
    return b.array();
  }

  private static void putString(ByteBuffer b, int offset, int capacity, String s) {
    byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
    // leave room for the terminating NUL, as C readers expect
    b.put(offset, raw, 0, Math.min(raw.length, capacity - 1));
  }

  /** 1 or 2. */
  public int version() {
    return version;
  }

  public ByteOrder byteOrder() {
    return byteOrder;
  }

  /** dim[0..7]: dim[0] is the number of dimensions, dim[1..] their sizes. */
  public long[] dim() {
    return dim.clone();
  }

  /** The raw {@code datatype} code. */
  public int datatypeCode() {
    return datatype;
  }

  public int bitpix() {
    return bitpix;
  }

  public double[] pixdim() {
    return pixdim.clone();
  }

  /** Byte offset of the voxel data in the (uncompressed) file. */
  public long voxOffset() {
    return voxOffset;
  }

  public double sclSlope() {
    return sclSlope;
  }

  public double sclInter() {
    return sclInter;
  }

  /**
   * True when voxel values are used as stored: slope 0, NaN or infinite (none, as nibabel reads
   * it), or slope 1 with intercept 0.
   */
  public boolean isUnscaled() {
    return !hasScaling() || (sclSlope == 1 && sclInter == 0);
  }

  /** True when {@code scl_slope} is a finite non-zero number, so value = raw * slope + inter. */
  public boolean hasScaling() {
    return sclSlope != 0 && Double.isFinite(sclSlope);
  }

  public int xyztUnits() {
    return xyztUnits;
  }

  public int qformCode() {
    return qformCode;
  }

  public int sformCode() {
    return sformCode;
  }

  public double quaternB() {
    return quaternB;
  }

  public double quaternC() {
    return quaternC;
  }

  public double quaternD() {
    return quaternD;
  }

  public double qoffsetX() {
    return qoffsetX;
  }

  public double qoffsetY() {
    return qoffsetY;
  }

  public double qoffsetZ() {
    return qoffsetZ;
  }

  public double[] srowX() {
    return srowX.clone();
  }

  public double[] srowY() {
    return srowY.clone();
  }

  public double[] srowZ() {
    return srowZ.clone();
  }

  public String descrip() {
    return descrip;
  }

  public String auxFile() {
    return auxFile;
  }

  public int intentCode() {
    return intentCode;
  }

  public double intentP1() {
    return intentP1;
  }

  public double intentP2() {
    return intentP2;
  }

  public double intentP3() {
    return intentP3;
  }

  public String intentName() {
    return intentName;
  }

  public int dimInfo() {
    return dimInfo;
  }

  public long sliceStart() {
    return sliceStart;
  }

  public long sliceEnd() {
    return sliceEnd;
  }

  public int sliceCode() {
    return sliceCode;
  }

  public double sliceDuration() {
    return sliceDuration;
  }

  public double toffset() {
    return toffset;
  }

  public double calMax() {
    return calMax;
  }

  public double calMin() {
    return calMin;
  }

  public NiftiDataType dataType() {
    return dataType;
  }

  /** Sizes of the first three axes (1 for axes a 1-D or 2-D file lacks). */
  public Dims spatialDims() {
    return spatialDims;
  }

  /** The shape as nibabel reports it: dim[1..dim[0]]. */
  public long[] shape() {
    return Arrays.copyOfRange(dim, 1, (int) dim[0] + 1);
  }

  /** Product of the sizes beyond the third axis: 1 for a 3-D image or a 4-D file of one volume. */
  public long volumeCount() {
    long n = 1;
    for (int i = 4; i <= dim[0]; i++) {
      n = multiplyCapped(n, dim[i]);
    }
    return n;
  }

  /** Number of voxels over all dimensions, saturating at Long.MAX_VALUE. */
  public long voxelCount() {
    return multiplyCapped(spatialDims.voxelCount(), volumeCount());
  }

  /** Bytes of voxel data as stored (all volumes), saturating at Long.MAX_VALUE. */
  public long voxelBytes() {
    return multiplyCapped(voxelCount(), dataType.bytesPerVoxel());
  }

  private static long multiplyCapped(long a, long b) {
    long r = a * b;
    if (a != 0 && (r / a != b || r < 0)) {
      return Long.MAX_VALUE;
    }
    return r;
  }

  /** Voxel spacing in mm along x, y, z: |pixdim[1..3]| (1 for axes the file lacks). */
  public double[] spacing() {
    double[] s = new double[3];
    for (int i = 0; i < 3; i++) {
      s[i] = i + 1 <= dim[0] ? Math.abs(pixdim[i + 1]) : 1.0;
    }
    return s;
  }

  /**
   * The voxel-to-world affine: sform when {@code sform_code > 0}, else the qform (quaternion b, c,
   * d; qfac = pixdim[0], 0 read as 1; pixdim scaling; qoffset) when {@code qform_code > 0}, else
   * nibabel's base affine: the spacing with x flipped and the volume centred on the origin (what
   * {@code nibabel.load(f).affine} gives; the NIfTI standard's "method 1" would not flip x).
   */
  public Affine affine() {
    return affine;
  }

  public Geometry geometry() {
    return new Geometry(spatialDims, spacing(), affine);
  }

  @Override
  public String toString() {
    return "NiftiHeader[NIfTI-"
        + version
        + ", "
        + byteOrder
        + ", shape="
        + Arrays.toString(shape())
        + ", "
        + dataType.numpyName()
        + ", qform_code="
        + qformCode
        + ", sform_code="
        + sformCode
        + "]";
  }

  /** Mutable field bag used while parsing or building a header. */
  static final class Fields {
    int version = 1;
    ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
    long[] dim = new long[8];
    int datatype;
    int bitpix;
    double[] pixdim = new double[8];
    long voxOffset = NIFTI1_VOX_OFFSET;
    double sclSlope;
    double sclInter;
    int xyztUnits;
    int qformCode;
    int sformCode;
    double quaternB;
    double quaternC;
    double quaternD;
    double qoffsetX;
    double qoffsetY;
    double qoffsetZ;
    double[] srowX = new double[4];
    double[] srowY = new double[4];
    double[] srowZ = new double[4];
    String descrip = "";
    String auxFile = "";
    int intentCode;
    double intentP1;
    double intentP2;
    double intentP3;
    String intentName = "";
    int dimInfo;
    long sliceStart;
    long sliceEnd;
    int sliceCode;
    double sliceDuration;
    double toffset;
    double calMax;
    double calMin;

    /**
     * Rounds every float field to float32, as a NIfTI-1 file will hold it, so the header object
     * equals what a reader of the written file sees.
     */
    Fields narrowedToNifti1() {
      for (int i = 0; i < 8; i++) {
        pixdim[i] = (float) pixdim[i];
      }
      for (int i = 0; i < 4; i++) {
        srowX[i] = (float) srowX[i];
        srowY[i] = (float) srowY[i];
        srowZ[i] = (float) srowZ[i];
      }
      quaternB = (float) quaternB;
      quaternC = (float) quaternC;
      quaternD = (float) quaternD;
      qoffsetX = (float) qoffsetX;
      qoffsetY = (float) qoffsetY;
      qoffsetZ = (float) qoffsetZ;
      sclSlope = (float) sclSlope;
      sclInter = (float) sclInter;
      sliceDuration = (float) sliceDuration;
      toffset = (float) toffset;
      calMax = (float) calMax;
      calMin = (float) calMin;
      intentP1 = (float) intentP1;
      intentP2 = (float) intentP2;
      intentP3 = (float) intentP3;
      return this;
    }
  }
}
