package org.bratscv.data.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class NiftiReaderTest {
  @TempDir Path dir;

  private final NiftiReader reader = NiftiReader.withDefaults();

  private Path file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /** Eight values per type (a 2x2x2 image) that probe sign, width and extremes. */
  static double[] valuesOf(NiftiDataType t) {
    return switch (t) {
      case UINT8 -> new double[] {0, 1, 2, 100, 127, 128, 200, 255};
      case INT8 -> new double[] {-128, -127, -1, 0, 1, 2, 100, 127};
      case INT16 -> new double[] {-32768, -1000, -1, 0, 1, 255, 256, 32767};
      case UINT16 -> new double[] {0, 1, 255, 256, 32767, 32768, 40000, 65535};
      case INT32 -> new double[] {-2147483648.0, -65536, -1, 0, 1, 65536, 16777217, 2147483647};
      case UINT32 -> new double[] {0, 1, 65535, 65536, 2147483647, 2147483648.0, 3e9, 4294967295.0};
      case INT64 -> new double[] {-(1L << 40), -1, 0, 1, 1L << 33, 1L << 52, 12345, -7};
      case FLOAT32 -> new double[] {-1.5, 0, 0.25, 1e-3f, 3.4e38f, -7, 100.125, 1e-30f};
      case FLOAT64 -> new double[] {-1.5, 0, 0.1, 1e-300, 1e300, -7, 100.125, Math.PI};
    };
  }

  static Stream<Arguments> typesAndOrders() {
    return Arrays.stream(NiftiDataType.values())
        .flatMap(
            t ->
                Stream.of(
                    Arguments.of(t, ByteOrder.LITTLE_ENDIAN),
                    Arguments.of(t, ByteOrder.BIG_ENDIAN)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("typesAndOrders")
  void readsEveryDatatypeInBothByteOrders(NiftiDataType t, ByteOrder order) throws IOException {
    NiftiBytes nb = NiftiBytes.v1().order(order).type(t);
    double[] values = valuesOf(t);
    Path p = file("img.nii", nb.file(nb.data(t, values)));

    NiftiImage img = reader.read(p);

    assertEquals(t, img.header().dataType());
    assertEquals(order, img.header().byteOrder());
    assertEquals(new Dims(2, 2, 2), img.header().spatialDims());
    float[] expected = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      expected[i] = (float) values[i];
    }
    assertArrayEquals(expected, img.data());
    assertArrayEquals(values, reader.readDoubles(p));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("typesAndOrders")
  void readsEveryDatatypeFromNifti2(NiftiDataType t, ByteOrder order) throws IOException {
    NiftiBytes nb = NiftiBytes.v2().order(order).type(t);
    double[] values = valuesOf(t);
    Path p = file("img.nii.gz", NiftiBytes.gzip(nb.file(nb.data(t, values))));

    NiftiImage img = reader.read(p);

    assertEquals(2, img.header().version());
    assertEquals(544, img.header().voxOffset());
    assertArrayEquals(values, reader.readDoubles(p));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("typesAndOrders")
  void volumesOfSeveralChunksReadEveryVoxelWithAndWithoutScaling(NiftiDataType t, ByteOrder order)
      throws IOException {
    // 300,000 voxels: two 256 KiB chunks of uint8, nine of float64, the last one cut short
    int nx = 100;
    int ny = 60;
    int nz = 50;
    int n = nx * ny * nz;
    double[] pattern = valuesOf(t);
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = pattern[(i * 7 + i / 1000) % pattern.length];
    }
    for (double[] scaling : new double[][] {{0, 0}, {0.5, -3}}) {
      NiftiBytes nb = NiftiBytes.v1().order(order).type(t).dims(nx, ny, nz);
      nb.slope = scaling[0];
      nb.inter = scaling[1];
      byte[] bytes = nb.file(nb.data(t, values));
      double slope = scaling[0] == 0 ? 1 : scaling[0];
      for (Path p : List.of(file("c.nii", bytes), file("c.nii.gz", NiftiBytes.gzip(bytes)))) {
        float[] floats = reader.read(p).data();
        double[] doubles = reader.readDoubles(p);
        assertEquals(n, floats.length);
        assertEquals(n, doubles.length);
        for (int i = 0; i < n; i++) {
          double expected = values[i] * slope + scaling[1];
          if (doubles[i] != expected || floats[i] != (float) expected) {
            assertEquals(expected, doubles[i], p.getFileName() + " voxel " + i);
            assertEquals((float) expected, floats[i], p.getFileName() + " voxel " + i);
          }
        }
      }
    }
  }

  @Test
  void readingAnInt16VolumeAllocatesItsFloatsAndNoCopyOfTheStoredBytes() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16).dims(240, 240, 155);
    byte[] bytes = nb.file(new byte[240 * 240 * 155 * 2]);
    Path raw = file("big.nii", bytes);
    Path gz = file("big.nii.gz", NiftiBytes.gzip(bytes));
    long floats = 240L * 240 * 155 * Float.BYTES; // 35.7 MB; the int16 bytes would add 17.9 MB
    for (Path p : List.of(raw, gz)) {
      reader.read(p); // loads the classes first
      long before = allocatedByThisThread();
      reader.read(p);
      long allocated = allocatedByThisThread() - before;
      assertTrue(
          allocated < floats + (2L << 20),
          p.getFileName() + ": allocated " + allocated + " bytes for " + floats + " of floats");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = NiftiDataType.class,
      names = {"UINT8", "INT16", "FLOAT32", "FLOAT64"})
  void labelsReadStraightAreTheLabelsOfTheFloatRead(NiftiDataType t) throws IOException {
    int nx = 90;
    int ny = 80;
    int nz = 50; // 360,000 voxels: two chunks of uint8, eleven of float64
    int n = nx * ny * nz;
    double[] labels = {0, 1, 2, 4, 3, 0, 0, 2};
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = labels[(i * 5 + i / 777) % labels.length];
    }
    NiftiBytes nb = NiftiBytes.v1().type(t).dims(nx, ny, nz);
    byte[] bytes = nb.file(nb.data(t, values));
    for (Path p : List.of(file("seg.nii", bytes), file("seg.nii.gz", NiftiBytes.gzip(bytes)))) {
      LabelVolume direct = reader.readLabels(p);
      LabelVolume viaFloats = LabelVolume.fromVolume(reader.read(p).toVolume());
      assertEquals(viaFloats.geometry(), direct.geometry());
      assertArrayEquals(viaFloats.labels(), direct.labels());
      for (int i = 0; i < n; i++) {
        if (direct.labels()[i] != (byte) values[i]) {
          assertEquals((byte) values[i], direct.labels()[i], p.getFileName() + " voxel " + i);
        }
      }
    }
  }

  @Test
  void aValueThatIsNoLabelIsNamedWithItsVoxelAsTheFloatPathNamesIt() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.FLOAT32).dims(300, 300, 4);
    double[] values = new double[300 * 300 * 4];
    values[200_001] = 1.5; // in the second chunk
    Path p = file("seg.nii.gz", NiftiBytes.gzip(nb.file(nb.data(NiftiDataType.FLOAT32, values))));
    String direct =
        assertThrows(IllegalArgumentException.class, () -> reader.readLabels(p)).getMessage();
    String viaFloats =
        assertThrows(
                IllegalArgumentException.class,
                () -> LabelVolume.fromVolume(reader.read(p).toVolume()))
            .getMessage();
    assertEquals(
        "label volume holds a value that is not a label (0..255): 1.5 at voxel 200001", direct);
    assertEquals(viaFloats, direct);
    NiftiBytes scaled = NiftiBytes.v1().type(NiftiDataType.UINT8);
    scaled.slope = 300; // 1 stands for 300: no label
    Path q = file("big.nii", scaled.file(scaled.data(NiftiDataType.UINT8, 0, 0, 1, 0, 0, 0, 0, 0)));
    assertEquals(
        "label volume holds a value that is not a label (0..255): 300.0 at voxel 2",
        assertThrows(IllegalArgumentException.class, () -> reader.readLabels(q)).getMessage());
  }

  @Test
  void readingAUint8SegAllocatesItsLabelsAndNoFloatCopy() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.UINT8).dims(240, 240, 155);
    Path p = file("seg.nii.gz", NiftiBytes.gzip(nb.file(new byte[240 * 240 * 155])));
    long voxels = 240L * 240 * 155; // 8.9 MB of labels; floats would add 35.7 MB
    reader.readLabels(p); // loads the classes first
    long before = allocatedByThisThread();
    reader.readLabels(p);
    long allocated = allocatedByThisThread() - before;
    assertTrue(allocated < voxels + (3L << 20), "allocated " + allocated + " bytes for " + voxels);
  }

  @Test
  void appliesSlopeAndInterceptInDouble() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16);
    nb.slope = 0.5;
    nb.inter = -10;
    Path p = file("s.nii", nb.file(nb.data(NiftiDataType.INT16, 0, 1, 2, 3, -4, 100, 7, 8)));

    assertArrayEquals(
        new float[] {-10, -9.5f, -9, -8.5f, -12, 40, -6.5f, -6}, reader.read(p).data());
    assertArrayEquals(new double[] {-10, -9.5, -9, -8.5, -12, 40, -6.5, -6}, reader.readDoubles(p));
  }

  @Test
  void zeroOrNanSlopeMeansNoScaling() throws IOException {
    for (double slope : new double[] {0, Double.NaN, Double.POSITIVE_INFINITY}) {
      NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.UINT8);
      nb.slope = slope;
      nb.inter = 5; // ignored without a valid slope, as in nibabel
      Path p = file("n.nii", nb.file(nb.data(NiftiDataType.UINT8, 1, 2, 3, 4, 5, 6, 7, 8)));
      assertArrayEquals(
          new float[] {1, 2, 3, 4, 5, 6, 7, 8}, reader.read(p).data(), "slope " + slope);
      assertTrue(reader.readHeader(p).isUnscaled());
    }
  }

  @Test
  void nonFiniteInterceptWithAValidSlopeIsNamed() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16);
    nb.slope = 2;
    nb.inter = Double.NaN;
    assertEquals(
        "i.nii: scl_inter = NaN (must be finite when scl_slope = 2.0)",
        failure("i.nii", int16File(nb)));
  }

  @Test
  void detectsGzipByMagicBytesNotByName() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16);
    byte[] raw = nb.file(nb.data(NiftiDataType.INT16, 1, 2, 3, 4, 5, 6, 7, 8));
    float[] expected = {1, 2, 3, 4, 5, 6, 7, 8};

    assertArrayEquals(expected, reader.read(file("gz_named.nii", NiftiBytes.gzip(raw))).data());
    assertArrayEquals(expected, reader.read(file("plain_named.nii.gz", raw)).data());
  }

  @Test
  void readsFromAStreamAndSkipsExtensions() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16);
    nb.voxOffset = 368.0;
    nb.extension = new byte[] {1, 0, 0, 0, 16, 0, 0, 0, 4, 0, 0, 0, 'a', 'b', 'c', 0};
    byte[] raw = nb.file(nb.data(NiftiDataType.INT16, 8, 7, 6, 5, 4, 3, 2, 1));

    boolean[] closed = {false};
    ByteArrayInputStream in =
        new ByteArrayInputStream(raw) {
          @Override
          public void close() {
            closed[0] = true;
          }
        };

    NiftiImage img = reader.read(in, "stream.nii", -1);

    assertArrayEquals(new float[] {8, 7, 6, 5, 4, 3, 2, 1}, img.data());
    assertEquals(368, img.header().voxOffset());
    assertFalse(closed[0], "the caller's stream stays open");
  }

  @Test
  void oneReaderServesConcurrentReads() throws Exception {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16).dims(16, 16, 16);
    double[] values = new double[4096];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 1000 - 500;
    }
    Path p = file("shared.nii.gz", NiftiBytes.gzip(nb.file(nb.data(NiftiDataType.INT16, values))));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        results.add(pool.submit(() -> reader.readDoubles(p)));
      }
      for (Future<double[]> r : results) {
        assertArrayEquals(values, r.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void fourDimensionalFileWithOneVolumeReadsAs3d() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.UINT8).dims(2, 2, 2, 1);
    Path p = file("t.nii", nb.file(nb.data(NiftiDataType.UINT8, 1, 2, 3, 4, 5, 6, 7, 8)));

    NiftiImage img = reader.read(p);

    assertEquals(new Dims(2, 2, 2), img.header().spatialDims());
    assertArrayEquals(new long[] {2, 2, 2, 1}, img.header().shape());
    assertEquals(new Dims(2, 2, 2), img.toVolume().dims());
  }

  @Test
  void twoDimensionalFileReadsWithOneSlice() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.UINT8).dims(4, 2);
    Path p = file("t.nii", nb.file(nb.data(NiftiDataType.UINT8, 1, 2, 3, 4, 5, 6, 7, 8)));

    assertEquals(new Dims(4, 2, 1), reader.read(p).header().spatialDims());
  }

  @Test
  void fourDimensionalFileWithSeveralVolumesIsRefused() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.UINT8).dims(2, 2, 1, 3);
    Path p = file("bold.nii", nb.file(new byte[12]));

    String msg = assertThrows(NiftiFormatException.class, () -> reader.read(p)).getMessage();

    assertEquals(
        "bold.nii: dim[0] = 4, shape [2, 2, 1, 3] holds 3 volumes (a 3-D volume is expected)", msg);
    assertEquals(3, reader.readHeader(p).volumeCount());
  }

  @Test
  void readVolumeImagesSplitsAFourDimensionalFileIntoItsVolumesInFileOrder() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.UINT8).dims(2, 2, 1, 3);
    Path p =
        file(
            "bold.nii",
            nb.file(nb.data(NiftiDataType.UINT8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)));

    List<NiftiImage> volumes = reader.readVolumeImages(p);

    assertEquals(3, volumes.size());
    assertArrayEquals(new float[] {1, 2, 3, 4}, volumes.get(0).data());
    assertArrayEquals(new float[] {9, 10, 11, 12}, volumes.get(2).data());
    assertEquals(new Dims(2, 2, 1), volumes.get(1).toVolume().dims());
    assertEquals(
        1,
        reader
            .readVolumeImages(
                file(
                    "one.nii",
                    NiftiBytes.v1().type(NiftiDataType.UINT8).dims(2, 2, 1).file(new byte[4])))
            .size());
  }

  @Test
  void readVolumesGivesOneChannelPerVolumeOfA4dFile() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.UINT8).dims(2, 2, 1, 3);
    byte[] data = new byte[12];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (10 * i);
    }
    Path p = file("case_0000.nii", nb.file(data));

    org.bratscv.data.volume.MultiChannelVolume v = reader.readVolumes(p);

    assertEquals(3, v.channelCount());
    assertEquals(new Dims(2, 2, 1), v.dims());
    // x fastest, then y, z, then the volume
    assertArrayEquals(new float[] {80, 90, 100, 110}, v.channel(2));
    assertEquals(1, reader.readVolumes(file("t.nii", int16File(NiftiBytes.v1()))).channelCount());
  }

  // ---- malformed input: each failure names the file and the field

  private String failure(String name, byte[] bytes) throws IOException {
    Path p = file(name, bytes);
    return assertThrows(NiftiFormatException.class, () -> reader.read(p)).getMessage();
  }

  private static byte[] int16File(NiftiBytes nb) {
    return nb.file(nb.data(NiftiDataType.INT16, 1, 2, 3, 4, 5, 6, 7, 8));
  }

  @Test
  void negativeDimIsNamed() throws IOException {
    NiftiBytes nb = NiftiBytes.v1();
    nb.dim[3] = -5;
    assertEquals(
        "BraTS20_Training_001_t1.nii.gz: dim[3] = -5 (must be positive)",
        failure("BraTS20_Training_001_t1.nii.gz", NiftiBytes.gzip(nb.file(new byte[8]))));
  }

  @Test
  void dimZeroOutsideOneToSevenIsNamed() throws IOException {
    for (int d0 : new int[] {0, 8, -1}) {
      NiftiBytes nb = NiftiBytes.v1();
      nb.dim[0] = d0;
      assertEquals(
          "x.nii: dim[0] = " + d0 + " (must be 1..7)", failure("x.nii", nb.file(new byte[16])));
    }
  }

  @Test
  void emptyFileIsNamed() throws IOException {
    assertEquals("empty.nii.gz: empty file (0 bytes)", failure("empty.nii.gz", new byte[0]));
    assertEquals(
        "s.nii: empty file (0 bytes)",
        assertThrows(
                NiftiFormatException.class,
                () -> reader.read(new ByteArrayInputStream(new byte[0]), "s.nii", -1))
            .getMessage());
  }

  @Test
  void textFileIsNeitherNiftiNorGzip() throws IOException {
    String msg = failure("notes.nii", "hello, this is not an image\n".getBytes());
    assertTrue(msg.startsWith("notes.nii: not a NIfTI or gzip file: sizeof_hdr = "), msg);
    assertTrue(msg.contains("first bytes 68 65 6c 6c"), msg);
  }

  @Test
  void gzipOfSomethingElseIsNamed() throws IOException {
    String msg = failure("x.nii.gz", NiftiBytes.gzip("not nifti at all, just text".getBytes()));
    assertTrue(msg.startsWith("x.nii.gz: gzip content is not NIfTI: sizeof_hdr = "), msg);
  }

  @Test
  void wrongSizeofHdrIsNamed() throws IOException {
    NiftiBytes nb = NiftiBytes.v1();
    nb.sizeofHdr = 349;
    String msg = failure("x.nii", int16File(nb));
    assertTrue(msg.contains("sizeof_hdr = 349 (must be 348 for NIfTI-1 or 540 for NIfTI-2"), msg);
  }

  @Test
  void badMagicIsNamed() throws IOException {
    NiftiBytes nb = NiftiBytes.v1();
    nb.magic = new byte[] {'a', 'b', 'c', 0};
    assertEquals(
        "x.nii: magic = \"abc\\x00\" (must be \"n+1\" for a NIfTI-1 .nii file)",
        failure("x.nii", int16File(nb)));
    nb.magic = new byte[] {'n', 'i', '1', 0};
    assertTrue(failure("x.nii", int16File(nb)).contains("magic = \"ni1\" (a .hdr/.img pair"));
    NiftiBytes v2 = NiftiBytes.v2();
    v2.magic = "n+2\0\0\0\0\0".getBytes();
    assertTrue(failure("y.nii", int16File(v2)).startsWith("y.nii: magic = \"n+2\\x00\\x00"));
  }

  @Test
  void unsupportedDatatypeIsNamed() throws IOException {
    NiftiBytes nb = NiftiBytes.v1();
    nb.datatype = 32;
    nb.bitpix = 64;
    String msg = failure("c.nii", nb.file(new byte[64]));
    assertTrue(
        msg.startsWith("c.nii: datatype = 32: unsupported datatype 32 (complex64); supported:"),
        msg);
  }

  @Test
  void truncatedHeaderIsNamed() throws IOException {
    byte[] full = int16File(NiftiBytes.v1());
    assertEquals(
        "h.nii: truncated header: 200 bytes, NIfTI-1 needs 348",
        failure("h.nii", Arrays.copyOf(full, 200)));
  }

  @Test
  void voxelDataAboveTheLimitIsRefusedBeforeAllocating() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.FLOAT32).dims(30000, 30000, 30000);
    Path p = file("huge.nii", nb.file(new byte[0]));
    String msg = assertThrows(NiftiFormatException.class, () -> reader.read(p)).getMessage();
    assertEquals(
        "huge.nii: dims 30000x30000x30000 x float32 declare 108000000000000 bytes of voxel data"
            + " (limit 2147483639)",
        msg);

    NiftiReader small = new NiftiReader(15);
    Path q = file("q.nii", int16File(NiftiBytes.v1()));
    assertTrue(
        assertThrows(NiftiFormatException.class, () -> small.read(q))
            .getMessage()
            .endsWith("declare 16 bytes of voxel data (limit 15)"));
  }

  @Test
  void voxOffsetMustBeInsideTheFileAndAfterTheHeader() throws IOException {
    NiftiBytes low = NiftiBytes.v1();
    low.voxOffset = 100.0;
    assertEquals(
        "x.nii: vox_offset = 100 (must be at least 352: the 348-byte header and the 4-byte"
            + " extension flag come first)",
        failure("x.nii", int16File(low)));
    NiftiBytes v2 = NiftiBytes.v2();
    v2.voxOffset = 540.0;
    assertTrue(
        failure("y.nii", int16File(v2))
            .startsWith("y.nii: vox_offset = 540 (must be at least 544"));

    NiftiBytes far = NiftiBytes.v1();
    far.voxOffset = 5000.0;
    byte[] header = Arrays.copyOf(far.file(new byte[0]), 368);
    assertEquals(
        "x.nii: vox_offset = 5000 (beyond the end of the file, 368 bytes)",
        failure("x.nii", header));

    NiftiBytes fraction = NiftiBytes.v1();
    fraction.voxOffset = 352.5;
    assertEquals(
        "x.nii: vox_offset = 352.5 (must be a whole, non-negative number of bytes)",
        failure("x.nii", int16File(fraction)));
  }

  @Test
  void shortVoxelDataIsTruncated() throws IOException {
    byte[] full = int16File(NiftiBytes.v1());
    assertEquals(
        "t.nii: truncated data: file has 360 bytes, header needs 368 (vox_offset 352 + 16 bytes of"
            + " 2x2x2 int16)",
        failure("t.nii", Arrays.copyOf(full, 360)));
    // unknown length (a stream): found while reading
    NiftiFormatException e =
        assertThrows(
            NiftiFormatException.class,
            () -> reader.read(new ByteArrayInputStream(Arrays.copyOf(full, 360)), "s.nii", -1));
    assertEquals(
        "s.nii: truncated data: 8 of 16 bytes of voxel data (2x2x2 int16 at vox_offset 352)",
        e.getMessage());
  }

  @Test
  void truncatedGzipIsNamed() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.FLOAT32).dims(16, 16, 16);
    byte[] gz = NiftiBytes.gzip(nb.file(new byte[16 * 16 * 16 * 4]));
    String msg = failure("cut.nii.gz", Arrays.copyOf(gz, gz.length - 12));
    assertTrue(msg.startsWith("cut.nii.gz: truncated gzip data ("), msg);
  }

  @Test
  void corruptGzipIsNamed() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16).dims(8, 8, 8);
    double[] ramp = new double[512];
    for (int i = 0; i < ramp.length; i++) {
      ramp[i] = i * 37 % 1000;
    }
    byte[] gz = NiftiBytes.gzip(nb.file(nb.data(NiftiDataType.INT16, ramp)));
    // a flipped CRC byte in the trailer: every byte inflates, only the checksum catches it
    byte[] badCrc = gz.clone();
    badCrc[gz.length - 8] ^= 0x55;
    String msg = failure("crc.nii.gz", badCrc);
    assertTrue(msg.startsWith("crc.nii.gz: corrupt gzip data ("), msg);
    // garbage in the deflate stream itself
    byte[] garbled = gz.clone();
    for (int i = 20; i < 60; i++) {
      garbled[i] = (byte) 0xFF;
    }
    String msg2 = failure("bad.nii.gz", garbled);
    assertTrue(
        msg2.startsWith("bad.nii.gz: corrupt gzip data (") || msg2.contains("truncated"), msg2);
  }

  @Test
  void gzipThatInflatesPastTheDeclaredSizeIsStopped() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16);
    byte[] raw = Arrays.copyOf(int16File(nb), 368 + (4 << 20)); // 4 MiB of zeros after the data
    String msg = failure("bomb.nii.gz", NiftiBytes.gzip(raw));
    assertEquals(
        "bomb.nii.gz: gzip data inflates past the declared size: more than 1048576 bytes follow"
            + " the 368 that vox_offset and dims declare (stopped inflating)",
        msg);
    // a few padding bytes are tolerated
    byte[] padded = Arrays.copyOf(int16File(nb), 368 + 100);
    assertArrayEquals(
        new float[] {1, 2, 3, 4, 5, 6, 7, 8},
        reader.read(file("pad.nii.gz", NiftiBytes.gzip(padded))).data());
  }

  @Test
  void smallGzipThatDeclaresAGigabyteIsRefusedHavingAllocatedLittle() throws IOException {
    // 1 GiB of int16, under the 2 GiB limit, but the stream holds 4 KiB: reading it used to
    // allocate the declared 1 GiB and its 2 GiB of floats before finding the data missing
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16).dims(1024, 1024, 512);
    Path p = file("liar.nii.gz", NiftiBytes.gzip(nb.file(new byte[4096])));
    long before = allocatedByThisThread();
    String msg = assertThrows(NiftiFormatException.class, () -> reader.read(p)).getMessage();
    long allocated = allocatedByThisThread() - before;
    assertEquals(
        "liar.nii.gz: truncated data: 4096 of 1073741824 bytes of voxel data (1024x1024x512 int16"
            + " at vox_offset 352)",
        msg);
    // the floats of the first 16 M voxels (64 MiB) are allocated at once; nothing more
    assertTrue(allocated < 72L << 20, "allocated " + allocated + " bytes");
  }

  @Test
  void gzipLargerThanTheFirstAllocationGrowsAndReadsEveryVoxel() throws IOException {
    int nx = 320;
    int ny = 320;
    int nz = 170; // 17.4 M voxels: past the 16 M allocated at once
    int n = nx * ny * nz;
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.UINT8).dims(nx, ny, nz);
    byte[] data = new byte[n];
    for (int i = 0; i < n; i++) {
      data[i] = (byte) (i % 251);
    }
    float[] v = reader.read(file("big.nii.gz", NiftiBytes.gzip(nb.file(data)))).data();
    assertEquals(n, v.length);
    for (int i = 0; i < n; i++) {
      if (v[i] != i % 251) {
        assertEquals(i % 251, v[i], "voxel " + i);
      }
    }
  }

  private static long allocatedByThisThread() {
    return ((com.sun.management.ThreadMXBean)
            java.lang.management.ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  @Test
  void quaternionLongerThanOneIsNamedWhenTheQformIsUsed() throws IOException {
    NiftiBytes nb = NiftiBytes.v1();
    nb.qformCode = 1;
    nb.quatern = new double[] {0.9, 0.9, 0.9};
    String msg = failure("q.nii", int16File(nb));
    assertTrue(msg.startsWith("q.nii: quatern_b/c/d = 0.9"), msg);
    nb.sformCode = 1; // sform wins, the quaternion is never used
    assertArrayEquals(
        new float[] {1, 2, 3, 4, 5, 6, 7, 8}, reader.read(file("s.nii", int16File(nb))).data());
  }
}
