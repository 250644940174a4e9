package org.bratscv.data.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import org.bratscv.data.volume.Dims;

/**
 * Bulk conversion between stored voxel bytes and Java arrays: one loop per datatype over a typed
 * buffer view of the byte array (no per-voxel stream calls), with scl_slope/scl_inter applied in
 * the same loop. Decoding works on voxel ranges so a reader can convert each chunk right after
 * inflating it.
 *
 * <p>Scaled values are computed in double as {@code raw * slope + inter}, like nibabel's {@code
 * get_fdata()}; the float variant rounds that double to float once.
 */
final class VoxelCodec {
  private VoxelCodec() {}

  /**
   * Decodes voxels {@code from} (inclusive) to {@code to} (exclusive) of {@code header}'s type and
   * byte order into the same positions of {@code out}; {@code raw} holds their bytes from its start
   * (voxel {@code from} at byte 0), so a reader can inflate each chunk into one small buffer.
   */
  static void decodeFloats(byte[] raw, NiftiHeader header, float[] out, int from, int to) {
    ByteBuffer bb = ByteBuffer.wrap(raw).order(header.byteOrder());
    boolean identity = header.isUnscaled();
    double slope = header.hasScaling() ? header.sclSlope() : 1;
    double inter = header.hasScaling() ? header.sclInter() : 0;
    switch (header.dataType()) {
      case UINT8 -> {
        if (identity) {
          for (int i = from; i < to; i++) {
            out[i] = raw[i - from] & 0xFF;
          }
        } else {
          for (int i = from; i < to; i++) {
            out[i] = (float) ((raw[i - from] & 0xFF) * slope + inter);
          }
        }
      }
      case INT8 -> {
        if (identity) {
          for (int i = from; i < to; i++) {
            out[i] = raw[i - from];
          }
        } else {
          for (int i = from; i < to; i++) {
            out[i] = (float) (raw[i - from] * slope + inter);
          }
        }
      }
      case INT16 -> {
        ShortBuffer v = bb.asShortBuffer();
        if (identity) {
          for (int i = from; i < to; i++) {
            out[i] = v.get(i - from);
          }
        } else {
          for (int i = from; i < to; i++) {
            out[i] = (float) (v.get(i - from) * slope + inter);
          }
        }
      }
      case UINT16 -> {
        ShortBuffer v = bb.asShortBuffer();
        if (identity) {
          for (int i = from; i < to; i++) {
            out[i] = v.get(i - from) & 0xFFFF;
          }
        } else {
          for (int i = from; i < to; i++) {
            out[i] = (float) ((v.get(i - from) & 0xFFFF) * slope + inter);
          }
        }
      }
      case INT32 -> {
        IntBuffer v = bb.asIntBuffer();
        if (identity) {
          for (int i = from; i < to; i++) {
            out[i] = (float) (double) v.get(i - from);
          }
        } else {
          for (int i = from; i < to; i++) {
            out[i] = (float) (v.get(i - from) * slope + inter);
          }
        }
      }
      case UINT32 -> {
        IntBuffer v = bb.asIntBuffer();
        for (int i = from; i < to; i++) {
          out[i] = (float) ((v.get(i - from) & 0xFFFFFFFFL) * slope + inter);
        }
      }
      case INT64 -> {
        // via double, as numpy's int64 -> float64 -> float32 path rounds
        LongBuffer v = bb.asLongBuffer();
        for (int i = from; i < to; i++) {
          out[i] = (float) ((double) v.get(i - from) * slope + inter);
        }
      }
      case FLOAT32 -> {
        FloatBuffer v = bb.asFloatBuffer();
        if (identity) {
          v.get(0, out, from, to - from);
        } else {
          for (int i = from; i < to; i++) {
            out[i] = (float) (v.get(i - from) * slope + inter);
          }
        }
      }
      case FLOAT64 -> {
        DoubleBuffer v = bb.asDoubleBuffer();
        for (int i = from; i < to; i++) {
          out[i] = (float) (v.get(i - from) * slope + inter);
        }
      }
    }
  }

  /**
   * Decodes voxels {@code from} to {@code to} (exclusive), whose bytes {@code raw} holds from its
   * start, into doubles, exactly as nibabel's {@code get_fdata()} (float64) computes them: for
   * statistics that must agree with nibabel.
   */
  static void decodeDoubles(byte[] raw, NiftiHeader header, double[] out, int from, int to) {
    ByteBuffer bb = ByteBuffer.wrap(raw).order(header.byteOrder());
    // with slope 1 / inter 0 the multiply-add is exact, so one loop per type serves both cases
    double slope = header.hasScaling() ? header.sclSlope() : 1;
    double inter = header.hasScaling() ? header.sclInter() : 0;
    switch (header.dataType()) {
      case UINT8 -> {
        for (int i = from; i < to; i++) {
          out[i] = (raw[i - from] & 0xFF) * slope + inter;
        }
      }
      case INT8 -> {
        for (int i = from; i < to; i++) {
          out[i] = raw[i - from] * slope + inter;
        }
      }
      case INT16 -> {
        ShortBuffer v = bb.asShortBuffer();
        for (int i = from; i < to; i++) {
          out[i] = v.get(i - from) * slope + inter;
        }
      }
      case UINT16 -> {
        ShortBuffer v = bb.asShortBuffer();
        for (int i = from; i < to; i++) {
          out[i] = (v.get(i - from) & 0xFFFF) * slope + inter;
        }
      }
      case INT32 -> {
        IntBuffer v = bb.asIntBuffer();
        for (int i = from; i < to; i++) {
          out[i] = v.get(i - from) * slope + inter;
        }
      }
      case UINT32 -> {
        IntBuffer v = bb.asIntBuffer();
        for (int i = from; i < to; i++) {
          out[i] = (v.get(i - from) & 0xFFFFFFFFL) * slope + inter;
        }
      }
      case INT64 -> {
        LongBuffer v = bb.asLongBuffer();
        for (int i = from; i < to; i++) {
          out[i] = (double) v.get(i - from) * slope + inter;
        }
      }
      case FLOAT32 -> {
        FloatBuffer v = bb.asFloatBuffer();
        if (slope == 1 && inter == 0) {
          for (int i = from; i < to; i++) {
            out[i] = v.get(i - from);
          }
        } else {
          for (int i = from; i < to; i++) {
            out[i] = v.get(i - from) * slope + inter;
          }
        }
      }
      case FLOAT64 -> {
        DoubleBuffer v = bb.asDoubleBuffer();
        if (slope == 1 && inter == 0) {
          v.get(0, out, from, to - from);
        } else {
          for (int i = from; i < to; i++) {
            out[i] = v.get(i - from) * slope + inter;
          }
        }
      }
    }
  }

  /**
   * Encodes floats as little-endian {@code type} voxels. Integer types get values rounded half to
   * even (numpy's rint) and range-checked.
   *
   * @throws IllegalArgumentException naming the voxel when a value (or NaN) does not fit the type
   */
  static byte[] encode(float[] data, NiftiDataType type, Dims dims, String name) {
    int n = data.length;
    byte[] raw = new byte[Math.multiplyExact(n, type.bytesPerVoxel())];
    ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case FLOAT32 -> bb.asFloatBuffer().put(0, data, 0, n);
      case FLOAT64 -> {
        DoubleBuffer v = bb.asDoubleBuffer();
        for (int i = 0; i < n; i++) {
          v.put(i, data[i]);
        }
      }
      case UINT8, INT8 -> {
        for (int i = 0; i < n; i++) {
          raw[i] = (byte) checked(data, i, type, dims, name);
        }
      }
      case INT16, UINT16 -> {
        ShortBuffer v = bb.asShortBuffer();
        for (int i = 0; i < n; i++) {
          v.put(i, (short) checked(data, i, type, dims, name));
        }
      }
      case INT32, UINT32 -> {
        IntBuffer v = bb.asIntBuffer();
        for (int i = 0; i < n; i++) {
          v.put(i, (int) checked(data, i, type, dims, name));
        }
      }
      case INT64 -> {
        LongBuffer v = bb.asLongBuffer();
        for (int i = 0; i < n; i++) {
          v.put(i, checked(data, i, type, dims, name));
        }
      }
    }
    return raw;
  }

  private static long checked(float[] data, int i, NiftiDataType type, Dims dims, String name) {
    double r = Math.rint(data[i]);
    // int64's upper bound 2^63 is exclusive; the other bounds are inclusive
    boolean fits =
        r >= type.min() && (type == NiftiDataType.INT64 ? r < type.max() : r <= type.max());
    if (!fits) {
      int x = i % dims.nx();
      int y = (i / dims.nx()) % dims.ny();
      int z = i / (dims.nx() * dims.ny());
      throw new IllegalArgumentException(
          name
              + ": value "
              + data[i]
              + " at voxel ("
              + x
              + ", "
              + y
              + ", "
              + z
              + ") does not fit "
              + type.numpyName()
              + " ["
              + (long) type.min()
              + ", "
              + (type == NiftiDataType.INT64 ? Long.MAX_VALUE : (long) type.max())
              + "]");
    }
    return (long) r;
  }
}
