package org.bratscv.data.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NiftiWriterTest {
  @TempDir Path dir;

  private final NiftiReader reader = NiftiReader.withDefaults();
  private final NiftiWriter writer = NiftiWriter.withDefaults();

  private static final Dims DIMS = new Dims(3, 2, 2);

  /** An oblique source image (qform and sform, codes 1 and 2) read from golden bytes. */
  private NiftiHeader obliqueSource() throws IOException {
    NiftiBytes nb = NiftiBytes.v1().type(NiftiDataType.INT16).dims(3, 2, 2);
    nb.qformCode = 1;
    nb.sformCode = 2;
    nb.quatern = new double[] {0, 0, Math.sqrt(0.5)};
    nb.qoffset = new double[] {10, 20, 30};
    nb.pixdim = new double[] {-1, 2, 3, 4, 1, 1, 1, 1};
    nb.srow = new double[][] {{0, -3, 0, 10}, {2, 0, 0, 20}, {0, 0, -4, 30}};
    Path p = dir.resolve("source.nii");
    Files.write(p, nb.file(new byte[24]));
    return reader.readHeader(p);
  }

  private static float[] ramp(float start) {
    float[] v = new float[DIMS.voxels()];
    for (int i = 0; i < v.length; i++) {
      v[i] = start + i;
    }
    return v;
  }

  @ParameterizedTest
  @ValueSource(strings = {"img.nii", "img.nii.gz"})
  void roundTripKeepsValuesAndTheSourceGeometry(String name) throws IOException {
    NiftiHeader source = obliqueSource();
    Volume v =
        new Volume(source.geometry(), new float[] {-1.5f, 0, 2.25f, 3, 4, 5, 6, 7, 8, 9, 10, 1e6f});
    Path target = dir.resolve(name);

    writer.write(target, v, source, NiftiDataType.FLOAT32);
    NiftiImage back = reader.read(target);

    assertArrayEquals(v.data(), back.data());
    NiftiHeader h = back.header();
    assertEquals(NiftiDataType.FLOAT32, h.dataType());
    assertEquals(source.affine(), h.affine());
    assertEquals(1, h.qformCode());
    assertEquals(2, h.sformCode());
    assertArrayEquals(source.pixdim(), h.pixdim());
    assertEquals(source.quaternD(), h.quaternD());
    assertArrayEquals(
        new double[] {10, 20, 30}, new double[] {h.qoffsetX(), h.qoffsetY(), h.qoffsetZ()});
    assertEquals(352, h.voxOffset());
    assertEquals(source.geometry(), back.toVolume().geometry());
  }

  @Test
  void gzipIsChosenByTargetName() throws IOException {
    NiftiHeader source = obliqueSource();
    Volume v = new Volume(source.geometry(), ramp(0));
    writer.write(dir.resolve("a.nii.gz"), v, source, NiftiDataType.INT16);
    writer.write(dir.resolve("a.nii"), v, source, NiftiDataType.INT16);

    byte[] gz = Files.readAllBytes(dir.resolve("a.nii.gz"));
    byte[] plain = Files.readAllBytes(dir.resolve("a.nii"));
    assertEquals(0x1f, gz[0] & 0xFF);
    assertEquals(0x8b, gz[1] & 0xFF);
    assertArrayEquals(new byte[] {0x5c, 0x01, 0, 0}, Arrays.copyOf(plain, 4));
    assertEquals(352 + 12 * 2, plain.length);
  }

  @Test
  void labelmapIsWrittenAsUint8OnTheImageGrid() throws IOException {
    NiftiHeader source = obliqueSource();
    byte[] labels = {0, 1, 2, 4, 0, 0, 0, 1, 1, 2, 2, (byte) 255};
    Path target = dir.resolve("seg.nii.gz");

    writer.write(target, new LabelVolume(source.geometry(), labels), source);
    NiftiImage back = reader.read(target);

    assertEquals(NiftiDataType.UINT8, back.header().dataType());
    assertEquals(source.affine(), back.header().affine());
    assertArrayEquals(new float[] {0, 1, 2, 4, 0, 0, 0, 1, 1, 2, 2, 255}, back.data());
  }

  @Test
  void integerTypesRoundHalfToEven() throws IOException {
    NiftiHeader source = obliqueSource();
    float[] values = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, 2.6f, -2.6f, 32767.4f, -32768f, 0, 7};
    Path target = dir.resolve("r.nii");

    writer.write(target, new Volume(source.geometry(), values), source, NiftiDataType.INT16);

    assertArrayEquals(
        new float[] {0, 2, 2, 0, -2, 2, 3, -3, 32767, -32768, 0, 7}, reader.read(target).data());
  }

  @Test
  void valueOutsideTheTypeRangeIsRefusedAndLeavesNoFile() throws IOException {
    NiftiHeader source = obliqueSource();
    float[] values = ramp(0);
    values[DIMS.index(1, 1, 1)] = 40000;
    Path target = dir.resolve("bad.nii.gz");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                writer.write(
                    target, new Volume(source.geometry(), values), source, NiftiDataType.INT16));

    assertEquals(
        "bad.nii.gz: value 40000.0 at voxel (1, 1, 1) does not fit int16 [-32768, 32767]",
        e.getMessage());
    assertFalse(Files.exists(target));
    values[0] = Float.NaN;
    values[DIMS.index(1, 1, 1)] = 0;
    assertEquals(
        "bad.nii.gz: value NaN at voxel (0, 0, 0) does not fit uint8 [0, 255]",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    writer.write(
                        target, new Volume(source.geometry(), values), source, NiftiDataType.UINT8))
            .getMessage());
  }

  @Test
  void writingLeavesOnlyTheTargetInTheFolder() throws IOException {
    NiftiHeader source = obliqueSource();
    Path out = dir.resolve("out");
    Path target = out.resolve("case_seg.nii.gz");

    writer.write(target, new Volume(source.geometry(), ramp(1)), source, NiftiDataType.FLOAT32);
    writer.write(target, new Volume(source.geometry(), ramp(5)), source, NiftiDataType.FLOAT32);

    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of(target), files.toList());
    }
    assertArrayEquals(ramp(5), reader.read(target).data());
  }

  @Test
  void dimsMustMatchTheSourceGrid() throws IOException {
    NiftiHeader source = obliqueSource();
    Volume other = new Volume(Geometry.isotropic(new Dims(2, 2, 2)), new float[8]);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> writer.write(dir.resolve("x.nii"), other, source, NiftiDataType.FLOAT32));
    assertEquals(
        "x.nii: volume of 2x2x2 cannot be written on the grid of a 3x2x2 header", e.getMessage());
  }

  @Test
  void streamRoundTripWithAHeaderMadeFromGeometry() throws IOException {
    Geometry g =
        new Geometry(
            DIMS,
            new double[] {1.5, 1.5, 2},
            Affine.ofRowMajor(-1.5, 0, 0, 90, 0, 1.5, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1));
    Volume v = new Volume(g, ramp(-3));
    NiftiHeader header = NiftiHeader.forGeometry(g, NiftiDataType.INT16);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();

    writer.write(bos, true, v, header, NiftiDataType.INT16);
    NiftiImage back = reader.read(new ByteArrayInputStream(bos.toByteArray()), "mem.nii.gz", -1);

    assertArrayEquals(v.data(), back.data());
    assertEquals(g.affine(), back.header().affine());
    assertArrayEquals(g.spacing(), back.header().spacing());
  }

  @Test
  void channelsAreWrittenAsOne4dImageOnTheSourceGrid() throws IOException {
    NiftiHeader source = obliqueSource();
    float[][] channels = {ramp(0), ramp(100), ramp(200)};
    org.bratscv.data.volume.MultiChannelVolume probs =
        new org.bratscv.data.volume.MultiChannelVolume(source.geometry(), channels);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    writer.write(bos, false, probs, source, NiftiDataType.FLOAT32, "ET,TC,WT");
    byte[] file = bos.toByteArray();

    NiftiHeader h = reader.readHeader(new ByteArrayInputStream(file), "probs.nii", file.length);
    assertArrayEquals(new long[] {4, 3, 2, 2, 3, 1, 1, 1}, h.dim());
    assertEquals(source.affine(), h.affine());
    assertEquals("ET,TC,WT", h.intentName());
    assertEquals(NiftiDataType.FLOAT32.code(), h.datatypeCode());
    // x fastest, then y, z, then the channel: channel c starts at c * 12 voxels
    java.nio.FloatBuffer data =
        java.nio.ByteBuffer.wrap(file, 352, file.length - 352)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .asFloatBuffer();
    assertEquals(36, data.remaining());
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 12; i++) {
        assertEquals(channels[c][i], data.get(c * 12 + i));
      }
    }
    // a 4-D file with several volumes is refused where a 3-D image is expected
    IOException e =
        assertThrows(
            IOException.class,
            () -> reader.read(new ByteArrayInputStream(file), "probs.nii", file.length));
    assertTrue(e.getMessage().contains("probs.nii"), e.getMessage());
  }

  @Test
  void float32VolumesOfSeveralChunksAreWrittenByteForByteAsEncodedWhole() throws IOException {
    // 67 x 53 x 41 = 145,591 voxels: two whole 65,536-voxel chunks and a partial one
    Geometry g = Geometry.isotropic(new Dims(67, 53, 41));
    java.util.Random rng = new java.util.Random(13);
    float[] a = new float[g.dims().voxels()];
    float[] b = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rng.nextGaussian();
      b[i] = i == 70_000 ? Float.NaN : -a[i] * 1e30f;
    }
    NiftiHeader header = NiftiHeader.forGeometry(g, NiftiDataType.FLOAT32);
    byte[] whole = VoxelCodec.encode(a, NiftiDataType.FLOAT32, g.dims(), "a");
    byte[] wholeB = VoxelCodec.encode(b, NiftiDataType.FLOAT32, g.dims(), "b");
    for (boolean gzip : new boolean[] {false, true}) {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      writer.write(bos, gzip, new Volume(g, a), header, NiftiDataType.FLOAT32);
      byte[] file = gzip ? gunzip(bos.toByteArray()) : bos.toByteArray();
      assertArrayEquals(whole, java.util.Arrays.copyOfRange(file, 352, file.length), "gz " + gzip);
    }
    Path target = dir.resolve("big.nii.gz");
    writer.write(target, new Volume(g, a), NiftiDataType.FLOAT32);
    assertArrayEquals(a, reader.read(target).data());

    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    writer.write(
        bos,
        false,
        new org.bratscv.data.volume.MultiChannelVolume(g, new float[][] {a, b}),
        header,
        NiftiDataType.FLOAT32,
        "two");
    byte[] file = bos.toByteArray();
    assertEquals(352 + whole.length + wholeB.length, file.length);
    assertArrayEquals(whole, java.util.Arrays.copyOfRange(file, 352, 352 + whole.length));
    assertArrayEquals(wholeB, java.util.Arrays.copyOfRange(file, 352 + whole.length, file.length));
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    try (java.util.zip.GZIPInputStream in =
        new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @Test
  void everyTypeRoundTrips() throws IOException {
    NiftiHeader source = obliqueSource();
    for (NiftiDataType t : NiftiDataType.values()) {
      float[] values =
          ramp(
              t == NiftiDataType.UINT8 || t == NiftiDataType.UINT16 || t == NiftiDataType.UINT32
                  ? 0
                  : -6);
      Path target = dir.resolve("t_" + t.numpyName() + ".nii");
      writer.write(target, new Volume(source.geometry(), values), source, t);
      NiftiImage back = reader.read(target);
      assertEquals(t, back.header().dataType());
      assertArrayEquals(values, back.data(), t.numpyName());
    }
  }
}
