package org.bratscv.data.nifti;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Volume;

/**
 * Writes NIfTI-1 single files ({@code .nii}; {@code .nii.gz} by file name is gzip-compressed),
 * little-endian, vox_offset 352, on the grid of a source header ({@link NiftiHeader#like}) so that
 * outputs overlay their image exactly in 3D Slicer and nibabel.
 *
 * <p>A file is written under a temporary sibling name and renamed atomically when complete, so a
 * killed writer never leaves a half file under the target name. Stateless and thread-safe.
 */
public final class NiftiWriter {
  /** gzip level of {@link #withDefaults()}: fast, as nibabel's default of 1. */
  public static final int DEFAULT_GZIP_LEVEL = 1;

  private static final int IO_BUFFER = 1 << 20;
  // float32 voxels encoded at a time (256 KiB)
  private static final int ENCODE_CHUNK_VOXELS = 64 << 10;

  private final int gzipLevel;

  /**
   * @param gzipLevel deflate level 1 (fastest) to 9 (smallest) for {@code .nii.gz} targets
   */
  public NiftiWriter(int gzipLevel) {
    if (gzipLevel < 1 || gzipLevel > 9) {
      throw new IllegalArgumentException("gzip level must be 1..9, got " + gzipLevel);
    }
    this.gzipLevel = gzipLevel;
  }

  public static NiftiWriter withDefaults() {
    return new NiftiWriter(DEFAULT_GZIP_LEVEL);
  }

  /**
   * Writes {@code v} as {@code type} with the geometry of {@code like} (whose spatial dims must
   * equal the volume's). Integer types get values rounded half to even and range-checked.
   *
   * @throws IllegalArgumentException when dims differ or a value does not fit {@code type}
   */
  public void write(Path target, Volume v, NiftiHeader like, NiftiDataType type)
      throws IOException {
    String name = target.getFileName().toString();
    NiftiHeader header = headerFor(v.dims(), like, type, name);
    writeAtomically(target, header, body(v.data(), type, v.dims(), name));
  }

  /** Writes a labelmap as uint8 with the geometry of {@code like}. */
  public void write(Path target, LabelVolume labels, NiftiHeader like) throws IOException {
    NiftiHeader header =
        headerFor(labels.dims(), like, NiftiDataType.UINT8, target.getFileName().toString());
    writeAtomically(target, header, bytes(labels.labels()));
  }

  /**
   * Writes {@code v} as {@code type} with a header made from its own geometry ({@link
   * NiftiHeader#forGeometry}), for images with no source file (synthetic data).
   */
  public void write(Path target, Volume v, NiftiDataType type) throws IOException {
    write(target, v, NiftiHeader.forGeometry(v.geometry(), type), type);
  }

  /**
   * Writes to a stream (e.g. a Hadoop output stream), gzip-compressed when {@code gzip}; the stream
   * is flushed, not closed.
   */
  public void write(OutputStream out, boolean gzip, Volume v, NiftiHeader like, NiftiDataType type)
      throws IOException {
    NiftiHeader header = headerFor(v.dims(), like, type, "output");
    writeTo(out, gzip, header, body(v.data(), type, v.dims(), "output"));
  }

  /** Writes a labelmap as uint8 to a stream; the stream is flushed, not closed. */
  public void write(OutputStream out, boolean gzip, LabelVolume labels, NiftiHeader like)
      throws IOException {
    NiftiHeader header = headerFor(labels.dims(), like, NiftiDataType.UINT8, "output");
    writeTo(out, gzip, header, bytes(labels.labels()));
  }

  /**
   * Writes the channels of {@code image} as one 4-D image (x, y, z, channel) of {@code type} on the
   * grid of {@code like}, e.g. per-region probability maps; the stream is flushed, not closed.
   *
   * @param intentName names the volumes in the header (at most 16 characters kept)
   */
  public void write(
      OutputStream out,
      boolean gzip,
      MultiChannelVolume image,
      NiftiHeader like,
      NiftiDataType type,
      String intentName)
      throws IOException {
    headerFor(image.dims(), like, type, "output");
    NiftiHeader header = NiftiHeader.likeVolumes(like, type, image.channelCount(), intentName);
    // the voxel bytes must fit one Java array, as every reader of this project needs
    Math.multiplyExact(
        Math.multiplyExact(image.dims().voxels(), image.channelCount()), type.bytesPerVoxel());
    VoxelBody[] channels = new VoxelBody[image.channelCount()];
    for (int c = 0; c < channels.length; c++) {
      channels[c] = body(image.channel(c), type, image.dims(), "output");
    }
    writeTo(
        out,
        gzip,
        header,
        o -> {
          for (VoxelBody c : channels) {
            c.writeTo(o);
          }
        });
  }

  /** The voxel data of a file, written after its header. */
  @FunctionalInterface
  private interface VoxelBody {
    void writeTo(OutputStream out) throws IOException;
  }

  private static VoxelBody bytes(byte[] data) {
    return out -> out.write(data);
  }

  /**
   * {@code data} encoded as {@code type}. float32 is encoded a chunk at a time into one small
   * buffer as it is written (no second copy of the volume: preprocessing writes 8 float volumes per
   * case, and a copy of each cost allocation and memory bandwidth that two tasks share); integer
   * types are encoded, and so range-checked, in full before anything is written.
   */
  private static VoxelBody body(float[] data, NiftiDataType type, Dims dims, String name) {
    if (type != NiftiDataType.FLOAT32) {
      return bytes(VoxelCodec.encode(data, type, dims, name));
    }
    return out -> {
      byte[] chunk = new byte[Math.min(ENCODE_CHUNK_VOXELS, data.length) * Float.BYTES];
      FloatBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      for (int from = 0; from < data.length; from += ENCODE_CHUNK_VOXELS) {
        int n = Math.min(ENCODE_CHUNK_VOXELS, data.length - from);
        view.put(0, data, from, n);
        out.write(chunk, 0, n * Float.BYTES);
      }
    };
  }

  private static NiftiHeader headerFor(
      Dims dims, NiftiHeader like, NiftiDataType type, String name) {
    if (!dims.equals(like.spatialDims())) {
      throw new IllegalArgumentException(
          name
              + ": volume of "
              + dims
              + " cannot be written on the grid of a "
              + like.spatialDims()
              + " header");
    }
    return NiftiHeader.like(like, type);
  }

  /** True for names ending in {@code .gz} (any case). */
  static boolean isGzipName(Path target) {
    Path f = target.getFileName();
    return f != null && f.toString().toLowerCase(Locale.ROOT).endsWith(".gz");
  }

  private void writeAtomically(Path target, NiftiHeader header, VoxelBody data) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // a dot-name without .nii/.gz so a listing of finished images never picks it up; unique so
    // concurrent or retried writers of one target never share it
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
    try {
      try (OutputStream out =
          Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeTo(out, isGzipName(target), header, data);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void writeTo(OutputStream out, boolean gzip, NiftiHeader header, VoxelBody data)
      throws IOException {
    if (gzip) {
      LeveledGzip gz = new LeveledGzip(out, gzipLevel);
      try {
        gz.write(header.toNifti1Bytes());
        data.writeTo(gz);
        gz.finish();
        gz.flush();
      } finally {
        // end the deflater (native memory) without closing the caller's stream
        gz.release();
      }
    } else {
      BufferedOutputStream b = new BufferedOutputStream(out, IO_BUFFER);
      b.write(header.toNifti1Bytes());
      data.writeTo(b);
      b.flush();
    }
  }

  /** GZIPOutputStream with a chosen deflate level. */
  private static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(OutputStream out, int level) throws IOException {
      super(out, IO_BUFFER);
      def.setLevel(level);
    }

    void release() {
      def.end();
    }
  }
}
