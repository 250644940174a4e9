package org.bratscv.data.nifti;

/**
 * The voxel datatypes brats-cv reads and writes, with their NIfTI {@code datatype} codes. BraTS
 * images are int16 or float32 and labelmaps uint8, but scanners and tools write all of these.
 */
public enum NiftiDataType {
  UINT8(2, 1, "uint8", 0, 255),
  INT16(4, 2, "int16", Short.MIN_VALUE, Short.MAX_VALUE),
  INT32(8, 4, "int32", Integer.MIN_VALUE, Integer.MAX_VALUE),
  FLOAT32(16, 4, "float32", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
  FLOAT64(64, 8, "float64", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
  INT8(256, 1, "int8", Byte.MIN_VALUE, Byte.MAX_VALUE),
  UINT16(512, 2, "uint16", 0, 65535),
  UINT32(768, 4, "uint32", 0, 4294967295.0),
  // the exact bounds of int64 are not doubles; writing checks against these rounded bounds
  INT64(1024, 8, "int64", -0x1p63, 0x1p63);

  private final int code;
  private final int bytesPerVoxel;
  private final String numpyName;
  private final double min;
  private final double max;

  NiftiDataType(int code, int bytesPerVoxel, String numpyName, double min, double max) {
    this.code = code;
    this.bytesPerVoxel = bytesPerVoxel;
    this.numpyName = numpyName;
    this.min = min;
    this.max = max;
  }

  /** The NIfTI {@code datatype} header code (e.g. 4 for int16). */
  public int code() {
    return code;
  }

  public int bytesPerVoxel() {
    return bytesPerVoxel;
  }

  /** The header's {@code bitpix}: bits per voxel. */
  public int bitpix() {
    return bytesPerVoxel * 8;
  }

  /** The numpy dtype name, as nibabel's {@code get_data_dtype()} prints it. */
  public String numpyName() {
    return numpyName;
  }

  public boolean isInteger() {
    return this != FLOAT32 && this != FLOAT64;
  }

  /** Smallest value this type stores (for integer types). */
  public double min() {
    return min;
  }

  /** Largest value this type stores (for integer types; int64 exclusive). */
  public double max() {
    return max;
  }

  /**
   * The type with NIfTI code {@code code}.
   *
   * @throws IllegalArgumentException "unsupported datatype N" for codes brats-cv does not handle
   *     (complex, RGB, float128, uint64, binary) or that NIfTI does not define
   */
  public static NiftiDataType ofCode(int code) {
    for (NiftiDataType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported datatype " + code + describe(code));
  }

  private static String describe(int code) {
    String name =
        switch (code) {
          case 0 -> "unknown";
          case 1 -> "binary";
          case 32 -> "complex64";
          case 128 -> "rgb24";
          case 1280 -> "uint64";
          case 1536 -> "float128";
          case 1792 -> "complex128";
          case 2048 -> "complex256";
          case 2304 -> "rgba32";
          default -> null;
        };
    return (name == null ? "" : " (" + name + ")")
        + "; supported: uint8, int8, int16, uint16, int32, uint32, int64, float32, float64";
  }
}
