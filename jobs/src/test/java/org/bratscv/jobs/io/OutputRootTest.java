package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.bratscv.data.cases.CaseDiscovery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputRootTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void namesThatCouldLeaveTheRootAreRefused() {
    OutputRoot root = new OutputRoot(dir.toString());
    for (String bad :
        List.of("..", ".", "../x", "a/b", "/etc", ".hidden", "", "a\u0000b", "c:\\x", "a b")) {
      assertThrows(IllegalArgumentException.class, () -> root.resolve("cases", bad), bad);
    }
    assertEquals(
        new Path(dir.toUri().getPath(), "cases/BraTS20_Training_001.nii.gz").toUri().getPath(),
        root.resolve("cases", "BraTS20_Training_001.nii.gz").toUri().getPath());
  }

  @Test
  void atomicWriteLeavesOnlyTheCompleteFile() throws IOException {
    OutputRoot root = new OutputRoot(dir.toString());
    FileSystem fs = root.fileSystem(new Configuration());
    Path target = root.resolve("a", "out.txt");
    OutputRoot.writeAtomically(
        fs, target, out -> out.write("one".getBytes(StandardCharsets.UTF_8)));
    OutputRoot.writeAtomically(
        fs, target, out -> out.write("two".getBytes(StandardCharsets.UTF_8)));
    assertEquals("two", Files.readString(dir.resolve("a/out.txt")));
    assertThrows(
        IOException.class,
        () ->
            OutputRoot.writeAtomically(
                fs,
                root.resolve("a", "broken.txt"),
                out -> {
                  out.write(1);
                  throw new IOException("disk on fire");
                }));
    try (Stream<java.nio.file.Path> files = Files.list(dir.resolve("a"))) {
      List<String> names =
          files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList();
      assertEquals(List.of("out.txt"), names);
    }
    assertFalse(Files.exists(dir.resolve("a/broken.txt")));
  }

  /**
   * A reader polling a file that is being replaced over and over (a report reading a running task's
   * log.csv) always finds it, complete. Replacing by delete-then-rename left it missing for a
   * moment, which a live-progress test hit once training got faster.
   */
  @Test
  void aReplacedFileIsNeverMissing() throws Exception {
    OutputRoot root = new OutputRoot(dir.toString());
    // read as a file of the disk: Hadoop's local file system renames the data and its checksum
    // file one after the other, and a read through it between the two fails its checksum
    java.nio.file.Path file = dir.resolve("log.csv");
    ReplacedFileReader.assertNeverMissingWhileReplaced(
        root.fileSystem(new Configuration()),
        root.resolve("log.csv"),
        300,
        ReplacedFileReader::numbered,
        () -> ReplacedFileReader.versionOf(Files.readString(file)));
  }

  /**
   * Where rename refuses an existing target, as HDFS's does, the file is replaced by the file
   * system's rename with overwrite (one step on HDFS's name node), not deleted first: a reader
   * still never finds it missing.
   */
  @Test
  void whereRenameRefusesAnExistingTargetTheOverwritingRenameReplacesIt() throws Exception {
    Configuration conf = HdfsLikeFileSystem.configure(new Configuration());
    OutputRoot root = new OutputRoot(HdfsLikeFileSystem.SCHEME + "://" + dir.toUri().getPath());
    FileSystem fs = root.fileSystem(conf);
    assertTrue(fs instanceof HdfsLikeFileSystem, fs.getClass().getName());
    int overwrites = HdfsLikeFileSystem.OVERWRITES.get();
    int deletes = HdfsLikeFileSystem.DELETES.get();
    Path target = root.resolve("log.csv");
    ReplacedFileReader.assertNeverMissingWhileReplaced(
        fs, target, 300, ReplacedFileReader::numbered, ReplacedFileReader.through(fs, target));
    assertEquals(300, HdfsLikeFileSystem.OVERWRITES.get() - overwrites);
    assertEquals(0, HdfsLikeFileSystem.DELETES.get() - deletes, "no target deleted first");
    try (Stream<java.nio.file.Path> files = Files.list(dir)) {
      assertEquals(List.of("log.csv"), files.map(f -> f.getFileName().toString()).toList());
    }
  }

  @Test
  void leftoversOfKilledWritersAreRemovedAndCompleteFilesKept() throws IOException {
    OutputRoot root = new OutputRoot(dir.toString());
    FileSystem fs = root.fileSystem(new Configuration());
    OutputRoot.writeAtomically(
        fs, root.resolve("train", "fold0", "epoch-000003", "weights.bin"), out -> out.write(7));
    OutputRoot.writeAtomically(fs, root.resolve("config.yaml"), out -> out.write(1));
    // what a writer killed mid-file leaves: its temporary (with the checksum sibling the local
    // Hadoop file system writes), and a Spark write's staging folder
    for (Path leftover :
        List.of(
            root.resolve("train", "fold0", "epoch-000003", "_tmp.optimizer.bin.1234"),
            root.resolve("_tmp.folds.json.5678"),
            root.resolve("train", "log.parquet", "_temporary", "0", "part-0.parquet"))) {
      try (var out = fs.create(leftover)) {
        out.write(new byte[] {1, 2, 3});
      }
    }

    assertEquals(1, OutputRoot.removeTemporaries(fs, root.path(), false), "only the top level");
    assertTrue(Files.exists(dir.resolve("train/fold0/epoch-000003/_tmp.optimizer.bin.1234")));
    assertEquals(2, OutputRoot.removeTemporaries(fs, root.path(), true));
    try (Stream<java.nio.file.Path> all = Files.walk(dir)) {
      assertEquals(
          List.of("config.yaml", "train/fold0/epoch-000003/weights.bin"),
          all.filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString())
              .filter(n -> !n.endsWith(".crc"))
              .sorted()
              .toList());
    }
    try (Stream<java.nio.file.Path> all = Files.walk(dir)) {
      assertEquals(
          List.of(),
          all.map(p -> p.getFileName().toString())
              .filter(n -> n.contains("_tmp.") || n.equals("_temporary"))
              .toList(),
          "no checksum sibling of a temporary remains either");
    }
    assertEquals(0, OutputRoot.removeTemporaries(fs, root.resolve("missing"), true));
  }

  /**
   * Hadoop's checksummed local file system renames a file and then its checksum file. A writer
   * killed between the two (a lost executor writing a checkpoint: CI once caught one) must leave a
   * target that reads, not new data under the old checksum, and the temporary's checksum file must
   * not outlive the stage that removes temporaries.
   */
  @Test
  void aWriterKilledBetweenTheTwoRenamesLeavesAReadableFileAndNoOrphanChecksum()
      throws IOException {
    Configuration conf = new Configuration();
    Path target = new Path(dir.resolve("best/weights.bin").toUri());
    FileSystem healthy = FileSystem.newInstance(dir.toUri(), conf);
    assertTrue(healthy instanceof org.apache.hadoop.fs.ChecksumFileSystem, healthy.toString());
    OutputRoot.writeAtomically(healthy, target, out -> out.write(bytes("epoch 2")));
    assertTrue(Files.exists(dir.resolve("best/.weights.bin.crc")), "a checksummed target");

    DiesAtChecksumRename dying = new DiesAtChecksumRename();
    org.apache.hadoop.fs.LocalFileSystem killed = new org.apache.hadoop.fs.LocalFileSystem(dying);
    killed.initialize(URI.create("file:///"), conf);
    assertThrows(
        IOException.class,
        () -> OutputRoot.writeAtomically(killed, target, out -> out.write(bytes("epoch 3"))));
    assertTrue(dying.dead, "the writer died at its checksum file's rename");

    // what the retry (or the next stage) finds
    try (FSDataInputStream in = healthy.open(target)) {
      assertEquals("epoch 3", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(
        1,
        OutputRoot.removeTemporaries(healthy, healthy.makeQualified(new Path(dir.toUri())), true));
    try (Stream<java.nio.file.Path> all = Files.walk(dir)) {
      assertEquals(
          List.of(),
          all.map(p -> p.getFileName().toString()).filter(n -> n.contains("_tmp.")).toList());
    }
    OutputRoot.writeAtomically(healthy, target, out -> out.write(bytes("epoch 4")));
    try (FSDataInputStream in = healthy.open(target)) {
      assertEquals("epoch 4", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertTrue(Files.exists(dir.resolve("best/.weights.bin.crc")), "checksummed again");
    healthy.close();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A local disk whose writer is killed when it renames a checksum file, after the data file's
   * rename: from then on it does nothing more (a killed process runs no cleanup).
   */
  private static final class DiesAtChecksumRename extends ForklessLocalFileSystem.JavaPermissions {
    volatile boolean dead;

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
      if (dead || src.getName().endsWith(".crc")) {
        dead = true;
        throw new IOException("killed");
      }
      return super.rename(src, dst);
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
      if (dead) {
        throw new IOException("killed");
      }
      return super.delete(p, recursive);
    }
  }

  @Test
  void caseDiscoveryRunsOverTheHadoopFileSystem() throws IOException {
    String id = "BraTS2021_00001";
    java.nio.file.Path c = Files.createDirectories(dir.resolve("archive").resolve(id));
    for (String s : List.of("t1", "t1ce", "t2", "flair", "seg")) {
      Files.write(c.resolve(id + "_" + s + ".nii.gz"), new byte[] {1});
    }
    CaseDiscovery.Result r =
        new CaseDiscovery(new HadoopCaseStore(new Configuration()))
            .discover("file://" + dir.resolve("archive"));
    assertEquals(1, r.cases().size());
    assertTrue(r.cases().get(0).segPath().startsWith("file:"), r.cases().get(0).segPath());
  }

  /**
   * A file system whose reads of a file fail {@code failures} times as HDFS's fail when the file is
   * replaced under a reader that opened it, then succeed.
   */
  private static final class ReplacedUnderReader extends RawLocalFileSystem {
    final AtomicInteger opens = new AtomicInteger();
    private final int failures;

    ReplacedUnderReader(int failures) throws IOException {
      this.failures = failures;
      initialize(URI.create("file:///"), new Configuration());
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
      if (opens.incrementAndGet() <= failures) {
        throw new IOException("Blocklist for " + f + " has changed!");
      }
      return super.open(f, bufferSize);
    }
  }

  @Test
  void aReadThatFailsUnderAReplacementIsMadeAgainButAMissingFileIsNot() throws IOException {
    Path file = new Path(dir.resolve("log.csv").toUri());
    Files.writeString(dir.resolve("log.csv"), "7\n");

    ReplacedUnderReader twice = new ReplacedUnderReader(2);
    assertEquals("7\n", new String(OutputRoot.readReplaced(twice, file), StandardCharsets.UTF_8));
    assertEquals(3, twice.opens.get());

    ReplacedUnderReader always = new ReplacedUnderReader(Integer.MAX_VALUE);
    IOException gaveUp =
        assertThrows(IOException.class, () -> OutputRoot.readReplaced(always, file));
    assertTrue(gaveUp.getMessage().contains("has changed"), gaveUp.getMessage());
    assertEquals(OutputRoot.REPLACED_READ_TRIES, always.opens.get());

    ReplacedUnderReader none = new ReplacedUnderReader(0);
    assertThrows(
        FileNotFoundException.class,
        () -> OutputRoot.readReplaced(none, new Path(dir.resolve("missing.csv").toUri())));
    assertEquals(1, none.opens.get(), "a missing file is not read again");
  }
}
