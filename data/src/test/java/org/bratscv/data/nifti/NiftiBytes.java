package org.bratscv.data.nifti;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Builds golden NIfTI-1 / NIfTI-2 files byte by byte at the offsets of the standard, independent of
 * {@link NiftiHeader}'s own encoder, so reader tests do not trust the code under test.
 */
final class NiftiBytes {
  int version = 1;
  ByteOrder order = ByteOrder.LITTLE_ENDIAN;
  Integer sizeofHdr;
  long[] dim = {3, 2, 2, 2, 1, 1, 1, 1};
  int datatype = 4;
  int bitpix = 16;
  double[] pixdim = {1, 1, 1, 1, 1, 1, 1, 1};
  Double voxOffset;
  double slope = 0;
  double inter = 0;
  int qformCode;
  int sformCode;
  double[] quatern = {0, 0, 0};
  double[] qoffset = {0, 0, 0};
  double[][] srow = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
  byte[] magic;
  byte[] extension = new byte[4];

  static NiftiBytes v1() {
    return new NiftiBytes();
  }

  static NiftiBytes v2() {
    NiftiBytes b = new NiftiBytes();
    b.version = 2;
    return b;
  }

  NiftiBytes order(ByteOrder o) {
    order = o;
    return this;
  }

  NiftiBytes dims(long... d) {
    dim = new long[] {d.length, 1, 1, 1, 1, 1, 1, 1};
    System.arraycopy(d, 0, dim, 1, d.length);
    return this;
  }

  NiftiBytes type(NiftiDataType t) {
    datatype = t.code();
    bitpix = t.bitpix();
    return this;
  }

  int headerSize() {
    return version == 1 ? 348 : 540;
  }

  /** The header, the extension flag / padding up to vox_offset, then {@code data}. */
  byte[] file(byte[] data) {
    int hs = headerSize();
    // data goes at vox_offset, or right after the header when a test declares an impossible one
    long offset =
        Math.max(voxOffset != null ? voxOffset.longValue() : hs + 4, hs + extension.length);
    int total = (int) Math.max(offset + data.length, hs + extension.length);
    ByteBuffer b = ByteBuffer.allocate(total).order(order);
    b.putInt(0, sizeofHdr != null ? sizeofHdr : hs);
    double vo = voxOffset != null ? voxOffset : hs + 4;
    if (version == 1) {
      for (int i = 0; i < 8; i++) {
        b.putShort(40 + 2 * i, (short) dim[i]);
      }
      b.putShort(70, (short) datatype);
      b.putShort(72, (short) bitpix);
      for (int i = 0; i < 8; i++) {
        b.putFloat(76 + 4 * i, (float) pixdim[i]);
      }
      b.putFloat(108, (float) vo);
      b.putFloat(112, (float) slope);
      b.putFloat(116, (float) inter);
      b.put(123, (byte) 2);
      b.putShort(252, (short) qformCode);
      b.putShort(254, (short) sformCode);
      for (int i = 0; i < 3; i++) {
        b.putFloat(256 + 4 * i, (float) quatern[i]);
        b.putFloat(268 + 4 * i, (float) qoffset[i]);
      }
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 4; c++) {
          b.putFloat(280 + 16 * r + 4 * c, (float) srow[r][c]);
        }
      }
      b.put(344, magic != null ? magic : "n+1\0".getBytes(StandardCharsets.ISO_8859_1));
    } else {
      b.put(4, magic != null ? magic : "n+2\0\r\n\032\n".getBytes(StandardCharsets.ISO_8859_1));
      b.putShort(12, (short) datatype);
      b.putShort(14, (short) bitpix);
      for (int i = 0; i < 8; i++) {
        b.putLong(16 + 8 * i, dim[i]);
        b.putDouble(104 + 8 * i, pixdim[i]);
      }
      b.putLong(168, (long) vo);
      b.putDouble(176, slope);
      b.putDouble(184, inter);
      b.putInt(344, qformCode);
      b.putInt(348, sformCode);
      for (int i = 0; i < 3; i++) {
        b.putDouble(352 + 8 * i, quatern[i]);
        b.putDouble(376 + 8 * i, qoffset[i]);
      }
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 4; c++) {
          b.putDouble(400 + 32 * r + 8 * c, srow[r][c]);
        }
      }
      b.putInt(500, 2);
    }
    if (offset >= hs + extension.length) {
      b.put(hs, extension);
    }
    b.put((int) offset, data);
    return b.array();
  }

  /** Voxel bytes of {@code values} stored as {@code t} in this builder's byte order. */
  byte[] data(NiftiDataType t, double... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * t.bytesPerVoxel()).order(order);
    for (double v : values) {
      switch (t) {
        case UINT8, INT8 -> b.put((byte) (long) v);
        case INT16, UINT16 -> b.putShort((short) (long) v);
        case INT32, UINT32 -> b.putInt((int) (long) v);
        case INT64 -> b.putLong((long) v);
        case FLOAT32 -> b.putFloat((float) v);
        case FLOAT64 -> b.putDouble(v);
      }
    }
    return b.array();
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }
}
