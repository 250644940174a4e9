package org.bratscv.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.bratscv.data.nifti.NiftiFormatException;
import org.bratscv.data.nifti.NiftiReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability promise 2: memory is bounded by the header-declared size checks and the inflate
 * limit, so a small hostile file cannot make an executor allocate gigabytes. Each file is read with
 * the reader and limit the preprocess stage uses by default, and the bytes the reading thread
 * allocated are counted exactly ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}), not guessed
 * from the heap.
 */
class HostileFileMemoryTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  private final NiftiReader reader = new NiftiReader(NiftiReader.DEFAULT_MAX_VOXEL_BYTES);

  @Test
  void headerDeclaringTerabytesIsRefusedBeforeAllocating() throws IOException {
    Path f = dir.resolve("huge_t1.nii");
    Files.write(f, BrokenCorpus.hostileHeader(30000, 30000, 30000));
    assertEquals(400, Files.size(f));
    long allocated =
        allocatedWhile(
            () ->
                assertEquals(
                    "huge_t1.nii: dims 30000x30000x30000 x int16 declare 54000000000000 bytes of voxel"
                        + " data (limit 2147483639)",
                    failure(f)));
    assertTrue(allocated < 2 * MIB, "allocated " + allocated + " bytes");
  }

  @Test
  void gzipBombIsStoppedAfterTheDeclaredSizeAndAMegabyte() throws IOException {
    // a valid 24x24x16 int16 image followed by 200 MB of zeros, in a file of about 200 KB
    Path source = dir.resolve("source.nii");
    Files.write(source, validInt16Image(24, 24, 16));
    Path bomb = dir.resolve("bomb_flair.nii.gz");
    BrokenCorpus.writeGzipBomb(bomb, Files.readAllBytes(source), BrokenCorpus.BOMB_BYTES);
    assertTrue(Files.size(bomb) < BrokenCorpus.BOMB_BYTES / 100, Files.size(bomb) + " bytes");
    long allocated =
        allocatedWhile(
            () ->
                assertEquals(
                    "bomb_flair.nii.gz: gzip data inflates past the declared size: more than 1048576"
                        + " bytes follow the 18784 that vox_offset and dims declare (stopped"
                        + " inflating)",
                    failure(bomb)));
    // the 1 MiB inflate buffer, the 18 KB of data, its floats and scratch: nothing near 200 MB
    assertTrue(allocated < 4 * MIB, "allocated " + allocated + " bytes");
  }

  @Test
  void smallGzipDeclaringAGigabyteUnderTheLimitCostsOnlyTheFirstAllocation() throws IOException {
    // 1024 x 1024 x 512 int16 = 1 GiB, under the default 2 GiB limit, in a file of about 1 KB
    byte[] header = BrokenCorpus.hostileHeader(1024, 1024, 512);
    Path f = dir.resolve("liar_t2.nii.gz");
    Files.write(f, gzip(header));
    long allocated =
        allocatedWhile(
            () ->
                assertEquals(
                    "liar_t2.nii.gz: truncated data: 48 of 1073741824 bytes of voxel data"
                        + " (1024x1024x512 int16 at vox_offset 352)",
                    failure(f)));
    // declared: 1 GiB of int16 and 2 GiB of floats; allocated at once: 16 M voxels (96 MiB)
    assertTrue(allocated < 128 * MIB, "allocated " + allocated + " bytes");
  }

  /** Loads the reader's classes, plain and gzip, so that class loading is not counted below. */
  @BeforeEach
  void warmUp() throws IOException {
    byte[] image = validInt16Image(16, 16, 16);
    Path plain = Files.write(dir.resolve("warm.nii"), image);
    Path gz = Files.write(dir.resolve("warm.nii.gz"), gzip(image));
    assertEquals(16 * 16 * 16, reader.read(plain).data().length);
    assertEquals(16 * 16 * 16, reader.read(gz).data().length);
    failure(Files.write(dir.resolve("cut.nii.gz"), gzip(Arrays.copyOf(image, 1000))));
  }

  private String failure(Path f) {
    return assertThrows(NiftiFormatException.class, () -> reader.read(f)).getMessage();
  }

  /** Bytes this thread allocated while running {@code action}. */
  private static long allocatedWhile(Executable action) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    try {
      action.execute();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  /** The 400-byte header of {@link BrokenCorpus#hostileHeader} cut to 352 bytes plus the data. */
  private static byte[] validInt16Image(int nx, int ny, int nz) {
    byte[] header = BrokenCorpus.hostileHeader(nx, ny, nz);
    byte[] file = new byte[352 + nx * ny * nz * 2];
    System.arraycopy(header, 0, file, 0, 352);
    for (int i = 352; i < file.length; i += 2) {
      file[i] = (byte) (i % 100);
    }
    return file;
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(raw);
    }
    return bytes.toByteArray();
  }
}
