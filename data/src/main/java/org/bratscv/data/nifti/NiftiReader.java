package org.bratscv.data.nifti;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * Reads NIfTI-1 and NIfTI-2 single files ({@code .nii}, or gzip-compressed {@code .nii.gz}, told
 * apart by the gzip magic bytes 1f 8b, not by name), either byte order.
 *
 * <p>Every header field is validated before anything large is allocated, the declared data size is
 * checked against a limit, and gzip data is never inflated past what the header declares (plus a
 * small allowance for trailing padding). Failures are {@link NiftiFormatException}s naming the file
 * and field. The voxel data is inflated a chunk at a time into one small buffer and converted into
 * the output array, so the stored bytes are never held whole; for gzip data, whose true size is
 * unknown until it is inflated, the output grows with the data past its first 16 M voxels, so
 * memory follows what a file really holds, not what its header claims.
 *
 * <p>Stateless and thread-safe: one reader can serve all tasks of a JVM.
 */
public final class NiftiReader {
  /** Default limit on the stored voxel data of one file: 2 GiB. */
  public static final long DEFAULT_MAX_VOXEL_BYTES = 2L << 30;

  // the largest byte[] HotSpot allocates
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
  // compressed bytes read per refill of the inflater; large so inflate runs in long stretches
  private static final int GZIP_INPUT_BUFFER = 1 << 20;
  // decompressed bytes accepted after the declared data before the file counts as oversized
  private static final long TRAILING_ALLOWANCE = 1 << 20;
  // bytes inflated before converting them: fits the L2 cache, a multiple of every voxel size
  private static final int CONVERT_CHUNK = 256 << 10;
  // voxels allocated at once for a stream of unknown length; more only as the data arrives. Holds
  // a whole BraTS volume (240 x 240 x 155 = 8.9 M voxels), so real files are read without a copy
  private static final long GROWTH_START_VOXELS = 16L << 20;

  private final long maxVoxelBytes;

  /**
   * @param maxVoxelBytes largest voxel data (bytes as stored, i.e. voxels x bytes per voxel) a file
   *     may declare; larger files are refused before allocation
   */
  public NiftiReader(long maxVoxelBytes) {
    if (maxVoxelBytes <= 0) {
      throw new IllegalArgumentException("maxVoxelBytes must be positive, got " + maxVoxelBytes);
    }
    this.maxVoxelBytes = maxVoxelBytes;
  }

  /** A reader with the default 2 GiB limit. */
  public static NiftiReader withDefaults() {
    return new NiftiReader(DEFAULT_MAX_VOXEL_BYTES);
  }

  public long maxVoxelBytes() {
    return maxVoxelBytes;
  }

  /**
   * Reads and validates only the header (for an uncompressed file, also that vox_offset lies inside
   * the file).
   */
  public NiftiHeader readHeader(Path path) throws IOException {
    long length = Files.size(path);
    try (InputStream in = Files.newInputStream(path)) {
      return decodeHeader(in, name(path), length);
    }
  }

  /**
   * Reads and validates only the header from a stream (e.g. a Hadoop file); {@code name} is what
   * errors call the file, {@code lengthOrMinus1} its size when known.
   */
  public NiftiHeader readHeader(InputStream in, String name, long lengthOrMinus1)
      throws IOException {
    return decodeHeader(in, name, lengthOrMinus1);
  }

  /** Reads a 3-D image (a 4-D file with one volume counts as 3-D) with scaled float voxels. */
  public NiftiImage read(Path path) throws IOException {
    long length = Files.size(path);
    try (InputStream in = Files.newInputStream(path)) {
      return read(in, name(path), length);
    }
  }

  /**
   * Reads a 3-D image from a stream (e.g. a Hadoop file system stream), which is read but not
   * closed.
   *
   * @param name what error messages call the input
   * @param lengthOrMinus1 the stream's length in bytes when known (checks an uncompressed file's
   *     data fits before reading), else -1
   */
  public NiftiImage read(InputStream in, String name, long lengthOrMinus1) throws IOException {
    return decode(in, name, lengthOrMinus1, h -> new FloatDecoding(h));
  }

  /**
   * Reads every volume of a 3-D or 4-D image (x, y, z, volume), for instance a file holding the
   * four modalities of a case as nibabel writes an (x, y, z, 4) array: one channel per volume. All
   * other checks are those of {@link #read}.
   */
  public MultiChannelVolume readVolumes(Path path) throws IOException {
    long length = Files.size(path);
    try (InputStream in = Files.newInputStream(path)) {
      return decode(in, name(path), length, h -> new VolumesDecoding(h));
    }
  }

  /**
   * Reads every 3-D volume of a file, in file order: one for a 3-D image, {@code dim[4]} (times any
   * higher sizes) for a 4-D one such as the Medical Segmentation Decathlon's images, whose four MRI
   * sequences sit in one file. Each volume carries the file's header (its spatial dims and geometry
   * are the volume's).
   */
  public List<NiftiImage> readVolumeImages(Path path) throws IOException {
    long length = Files.size(path);
    try (InputStream in = Files.newInputStream(path)) {
      return readVolumeImages(in, name(path), length);
    }
  }

  /** {@link #readVolumeImages(Path)} from a stream, which is read but not closed. */
  public List<NiftiImage> readVolumeImages(InputStream in, String name, long lengthOrMinus1)
      throws IOException {
    return decode(in, name, lengthOrMinus1, h -> new VolumeImagesDecoding(h));
  }

  /**
   * Reads a 3-D labelmap (a seg or a prediction) straight into labels, one byte a voxel, without a
   * float copy of the volume: the values are scaled as {@link #read} scales them and must be
   * integers 0..255.
   *
   * @throws IllegalArgumentException naming the value and the voxel when one is not a label, as
   *     {@link LabelVolume#fromVolume} does
   */
  public LabelVolume readLabels(Path path) throws IOException {
    long length = Files.size(path);
    try (InputStream in = Files.newInputStream(path)) {
      return readLabels(in, name(path), length);
    }
  }

  /** {@link #readLabels(Path)} from a stream, which is read but not closed. */
  public LabelVolume readLabels(InputStream in, String name, long lengthOrMinus1)
      throws IOException {
    return decode(in, name, lengthOrMinus1, h -> new LabelDecoding(h));
  }

  /**
   * The scaled voxels in double precision, computed as nibabel's {@code get_fdata()} does, for
   * statistics that must match it (e.g. {@code inspect}); every volume of a 4-D file, in file
   * order.
   */
  public double[] readDoubles(Path path) throws IOException {
    long length = Files.size(path);
    try (InputStream in = Files.newInputStream(path)) {
      return readDoubles(in, name(path), length);
    }
  }

  /** {@link #readDoubles(Path)} from a stream, which is read but not closed. */
  public double[] readDoubles(InputStream in, String name, long lengthOrMinus1) throws IOException {
    return decode(in, name, lengthOrMinus1, h -> new DoubleDecoding(h));
  }

  private static String name(Path path) {
    Path file = path.getFileName();
    return file == null ? path.toString() : file.toString();
  }

  /**
   * How one read turns voxel bytes into its result, made once the header is validated. Its output
   * grows with the data that has really arrived, never ahead of it.
   */
  private interface Decoding<T> {
    /** Makes room for at least {@code voxels} converted voxels. */
    void ensureVoxels(int voxels);

    /**
     * Converts voxels {@code from}..{@code to} (exclusive), whose bytes {@code raw} holds from its
     * start.
     */
    void convert(byte[] raw, int from, int to);

    /** The result, once every voxel has been converted (the output then has the exact size). */
    T result();

    /** Whether a file of several volumes is read (else it is refused as not 3-D). */
    default boolean readsVolumes() {
      return false;
    }
  }

  /** Scaled float voxels of every volume, one channel each. */
  private static final class VolumesDecoding implements Decoding<MultiChannelVolume> {
    private final FloatDecoding all;

    VolumesDecoding(NiftiHeader header) {
      this.all = new FloatDecoding(header);
    }

    @Override
    public void ensureVoxels(int voxels) {
      all.ensureVoxels(voxels);
    }

    @Override
    public void convert(byte[] raw, int from, int to) {
      all.convert(raw, from, to);
    }

    @Override
    public MultiChannelVolume result() {
      int n = Math.toIntExact(all.header.spatialDims().voxelCount());
      float[][] channels = new float[Math.toIntExact(all.header.volumeCount())][];
      for (int c = 0; c < channels.length; c++) {
        channels[c] = Arrays.copyOfRange(all.out, c * n, (c + 1) * n);
      }
      return new MultiChannelVolume(all.header.geometry(), channels);
    }

    @Override
    public boolean readsVolumes() {
      return true;
    }
  }

  /** Scaled float voxels as a {@link NiftiImage}. */
  private static final class FloatDecoding implements Decoding<NiftiImage> {
    private final NiftiHeader header;
    private float[] out = new float[0];

    FloatDecoding(NiftiHeader header) {
      this.header = header;
    }

    @Override
    public void ensureVoxels(int voxels) {
      if (voxels > out.length) {
        out = Arrays.copyOf(out, voxels);
      }
    }

    @Override
    public void convert(byte[] raw, int from, int to) {
      VoxelCodec.decodeFloats(raw, header, out, from, to);
    }

    @Override
    public NiftiImage result() {
      return new NiftiImage(header, out);
    }
  }

  /** Scaled float voxels of every volume, split into one {@link NiftiImage} per volume. */
  private static final class VolumeImagesDecoding implements Decoding<List<NiftiImage>> {
    private final FloatDecoding all;
    private final NiftiHeader header;

    VolumeImagesDecoding(NiftiHeader header) {
      this.header = header;
      this.all = new FloatDecoding(header);
    }

    @Override
    public void ensureVoxels(int voxels) {
      all.ensureVoxels(voxels);
    }

    @Override
    public void convert(byte[] raw, int from, int to) {
      all.convert(raw, from, to);
    }

    @Override
    public List<NiftiImage> result() {
      int n = Math.toIntExact(header.spatialDims().voxelCount());
      List<NiftiImage> out = new ArrayList<>();
      for (long v = 0; v < header.volumeCount(); v++) {
        int from = Math.toIntExact(v * n);
        out.add(new NiftiImage(header, Arrays.copyOfRange(all.out, from, from + n)));
      }
      return out;
    }

    @Override
    public boolean readsVolumes() {
      return true;
    }
  }

  /** Labels, converted through a float buffer of one chunk. */
  private static final class LabelDecoding implements Decoding<LabelVolume> {
    private final NiftiHeader header;
    private byte[] out = new byte[0];
    private float[] chunk = new float[0];

    LabelDecoding(NiftiHeader header) {
      this.header = header;
    }

    @Override
    public void ensureVoxels(int voxels) {
      if (voxels > out.length) {
        out = Arrays.copyOf(out, voxels);
      }
    }

    @Override
    public void convert(byte[] raw, int from, int to) {
      int n = to - from;
      if (chunk.length < n) {
        chunk = new float[n];
      }
      VoxelCodec.decodeFloats(raw, header, chunk, 0, n);
      for (int i = 0; i < n; i++) {
        out[from + i] = LabelVolume.label(chunk[i], from + i);
      }
    }

    @Override
    public LabelVolume result() {
      return new LabelVolume(header.geometry(), out);
    }
  }

  /** Scaled double voxels, as nibabel's {@code get_fdata()}. */
  private static final class DoubleDecoding implements Decoding<double[]> {
    private final NiftiHeader header;
    private double[] out = new double[0];

    DoubleDecoding(NiftiHeader header) {
      this.header = header;
    }

    @Override
    public void ensureVoxels(int voxels) {
      if (voxels > out.length) {
        out = Arrays.copyOf(out, voxels);
      }
    }

    @Override
    public void convert(byte[] raw, int from, int to) {
      VoxelCodec.decodeDoubles(raw, header, out, from, to);
    }

    @Override
    public double[] result() {
      return out;
    }

    @Override
    public boolean readsVolumes() {
      return true;
    }
  }

  private NiftiHeader decodeHeader(InputStream in, String name, long length) throws IOException {
    return decode(in, name, length, null);
  }

  /**
   * Reads header and data; {@code decodingFor} (null: header only) makes the converter after the
   * header has been validated, so nothing is allocated for a bad file.
   */
  private <T> T decode(
      InputStream source, String name, long length, Function<NiftiHeader, Decoding<T>> decodingFor)
      throws IOException {
    if (length == 0) {
      throw new NiftiFormatException(name, "empty file (0 bytes)");
    }
    PushbackInputStream pushback = new PushbackInputStream(new NonClosing(source), 2);
    byte[] magic = pushback.readNBytes(2);
    if (magic.length == 0) {
      throw new NiftiFormatException(name, "empty file (0 bytes)");
    }
    pushback.unread(magic);
    boolean gzip = magic.length == 2 && (magic[0] & 0xFF) == 0x1f && (magic[1] & 0xFF) == 0x8b;
    try (InputStream in = gzip ? new GZIPInputStream(pushback, GZIP_INPUT_BUFFER) : pushback) {
      return decode(in, name, gzip ? -1 : length, gzip, decodingFor);
    } catch (ZipException e) {
      throw new NiftiFormatException(name, "corrupt gzip data (" + e.getMessage() + ")", e);
    } catch (EOFException e) {
      throw new NiftiFormatException(name, "truncated gzip data (" + e.getMessage() + ")", e);
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T decode(
      InputStream in,
      String name,
      long length,
      boolean gzip,
      Function<NiftiHeader, Decoding<T>> decodingFor)
      throws IOException {
    byte[] head = new byte[NiftiHeader.NIFTI2_HEADER_SIZE];
    int got = in.readNBytes(head, 0, NiftiHeader.NIFTI1_HEADER_SIZE);
    if (got == 0 && gzip) {
      throw new NiftiFormatException(name, "gzip data inflates to 0 bytes (no NIfTI header)");
    }
    if (got == NiftiHeader.NIFTI1_HEADER_SIZE && isNifti2(head)) {
      got +=
          in.readNBytes(head, got, NiftiHeader.NIFTI2_HEADER_SIZE - NiftiHeader.NIFTI1_HEADER_SIZE);
    }
    NiftiHeader h = NiftiHeader.parse(head, got, name, gzip);
    long headerSize =
        h.version() == 1 ? NiftiHeader.NIFTI1_HEADER_SIZE : NiftiHeader.NIFTI2_HEADER_SIZE;
    if (length >= 0 && h.voxOffset() > length) {
      throw new NiftiFormatException(
          name,
          "vox_offset = " + h.voxOffset() + " (beyond the end of the file, " + length + " bytes)");
    }
    if (decodingFor == null) {
      return (T) h;
    }
    Decoding<T> decoding = decodingFor.apply(h);
    if (h.volumeCount() > 1 && !decoding.readsVolumes()) {
      throw new NiftiFormatException(
          name,
          "dim[0] = "
              + h.dim()[0]
              + ", shape "
              + Arrays.toString(h.shape())
              + " holds "
              + h.volumeCount()
              + " volumes (a 3-D volume is expected)");
    }
    long bytes = h.voxelBytes();
    if (bytes > maxVoxelBytes || bytes > MAX_ARRAY) {
      throw new NiftiFormatException(
          name,
          "dims "
              + h.spatialDims()
              + " x "
              + h.dataType().numpyName()
              + " declare "
              + bytes
              + " bytes of voxel data (limit "
              + Math.min(maxVoxelBytes, MAX_ARRAY)
              + ")");
    }
    if (h.voxOffset() - headerSize > maxVoxelBytes) {
      throw new NiftiFormatException(
          name,
          "vox_offset = "
              + h.voxOffset()
              + " (declares more than "
              + maxVoxelBytes
              + " bytes of extensions before the data)");
    }
    if (length >= 0 && h.voxOffset() + bytes > length) {
      throw new NiftiFormatException(
          name,
          "truncated data: file has "
              + length
              + " bytes, header needs "
              + (h.voxOffset() + bytes)
              + " (vox_offset "
              + h.voxOffset()
              + " + "
              + bytes
              + " bytes of "
              + h.spatialDims()
              + " "
              + h.dataType().numpyName()
              + ")");
    }
    long extensions = h.voxOffset() - headerSize;
    long skipped = skipUpTo(in, extensions);
    if (skipped < extensions) {
      throw new NiftiFormatException(
          name,
          "vox_offset = "
              + h.voxOffset()
              + " (beyond the end of the "
              + (gzip ? "decompressed " : "")
              + "data, "
              + (headerSize + skipped)
              + " bytes)");
    }
    int bytesPerVoxel = h.dataType().bytesPerVoxel();
    // A file of known length was checked above to hold every declared byte. A stream of unknown
    // length (gzip) may declare far more than it holds: past the first GROWTH_START_VOXELS, the
    // output grows with the data that really arrives, so a small file that declares gigabytes is
    // refused having cost little more than what it held.
    long voxels = bytes / bytesPerVoxel;
    int capacity = (int) (length >= 0 ? voxels : Math.min(voxels, GROWTH_START_VOXELS));
    decoding.ensureVoxels(capacity);
    // inflate chunk by chunk into one small buffer and convert each chunk while it is still in the
    // CPU cache: one pass over memory, and no second copy of the volume in its stored type. Every
    // request but the last is a whole CONVERT_CHUNK, a multiple of every voxel size
    byte[] chunk = new byte[(int) Math.min(CONVERT_CHUNK, bytes)];
    long read = 0;
    int converted = 0;
    while (read < bytes) {
      int want = (int) Math.min(chunk.length, bytes - read);
      int n = in.readNBytes(chunk, 0, want);
      read += n;
      int complete = converted + n / bytesPerVoxel;
      if (complete > capacity) {
        capacity = (int) Math.min(voxels, Math.max(complete, 2L * capacity));
        decoding.ensureVoxels(capacity);
      }
      decoding.convert(chunk, converted, complete);
      converted = complete;
      if (n < want) {
        break; // end of input: reported below
      }
    }
    if (read < bytes) {
      throw new NiftiFormatException(
          name,
          "truncated data: "
              + read
              + " of "
              + bytes
              + " bytes of voxel data ("
              + h.spatialDims()
              + " "
              + h.dataType().numpyName()
              + " at vox_offset "
              + h.voxOffset()
              + ")");
    }
    if (gzip) {
      // reading on to the end checks the gzip CRC and size; stop at the allowance, never inflate
      // an unbounded stream
      byte[] scratch = new byte[64 << 10];
      long extra = 0;
      int r;
      while ((r = in.read(scratch)) != -1) {
        extra += r;
        if (extra > TRAILING_ALLOWANCE) {
          throw new NiftiFormatException(
              name,
              "gzip data inflates past the declared size: more than "
                  + TRAILING_ALLOWANCE
                  + " bytes follow the "
                  + (h.voxOffset() + bytes)
                  + " that vox_offset and dims declare (stopped inflating)");
        }
      }
    }
    return decoding.result();
  }

  /** Skips up to {@code n} bytes, returning how many were there. */
  private static long skipUpTo(InputStream in, long n) throws IOException {
    long done = 0;
    byte[] scratch = null;
    while (done < n) {
      long s = in.skip(n - done);
      if (s > 0) {
        done += s;
        continue;
      }
      if (scratch == null) {
        scratch = new byte[8192];
      }
      int r = in.read(scratch, 0, (int) Math.min(scratch.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  private static boolean isNifti2(byte[] head) {
    int le = (head[0] & 0xFF) | (head[1] & 0xFF) << 8 | (head[2] & 0xFF) << 16 | head[3] << 24;
    return le == NiftiHeader.NIFTI2_HEADER_SIZE
        || Integer.reverseBytes(le) == NiftiHeader.NIFTI2_HEADER_SIZE;
  }

  /** Shields a caller's stream from being closed by the gzip wrapper we must close. */
  private static final class NonClosing extends FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
