package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForklessLocalFileSystemTest {
  @TempDir Path tmp;

  @Test
  void modesMapToTheirNineRwxBits() {
    assertEquals("rw-r--r--", PosixFilePermissions.toString(ForklessLocalFileSystem.posix(0644)));
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(ForklessLocalFileSystem.posix(0755)));
    assertEquals("-w---x--x", PosixFilePermissions.toString(ForklessLocalFileSystem.posix(0211)));
    assertEquals("rwx------", PosixFilePermissions.toString(ForklessLocalFileSystem.posix(01700)));
  }

  @Test
  void theDriverConfigurationWritesFilesWithTheirChecksumsAndModes() throws Exception {
    Configuration conf = HadoopConf.forDriver(java.util.Map.of());
    assertEquals(ForklessLocalFileSystem.class.getName(), conf.get(ForklessLocalFileSystem.KEY));
    FileSystem fs = FileSystem.newInstance(tmp.toUri(), conf);
    assertTrue(fs instanceof ForklessLocalFileSystem, fs.getClass().getName());
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(tmp.toUri() + "/a/b.bin");
    try (FSDataOutputStream out = fs.create(file, false)) {
      out.write(new byte[] {1, 2, 3});
    }
    fs.setPermission(file, new FsPermission((short) 0640));
    assertEquals(
        "rw-r-----",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("a/b.bin"))));
    assertTrue(Files.exists(tmp.resolve("a/.b.bin.crc")), "the checksum file is written");
    assertEquals(3, fs.getFileStatus(file).getLen());
    fs.close();
  }

  /**
   * Listing files and reading their modes and owners starts no process (the raw file system forks
   * {@code ls -ld} per file for them): JFR's process-start events are counted around a listing.
   */
  @Test
  void listingsCarryModesAndOwnersWithoutStartingProcesses() throws Exception {
    FileSystem fs = FileSystem.newInstance(tmp.toUri(), HadoopConf.forDriver(java.util.Map.of()));
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(tmp.toUri() + "/run");
    for (String name : List.of("epoch_000000/weights.bin", "epoch_000001/weights.bin")) {
      try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(dir, name), false)) {
        out.write(1);
      }
    }
    Files.setPosixFilePermissions(
        tmp.resolve("run/epoch_000001/weights.bin"), PosixFilePermissions.fromString("rw-r-----"));
    String owner = Files.getOwner(tmp.resolve("run/epoch_000001/weights.bin")).getName();

    Map<String, FileStatus> listed = new java.util.TreeMap<>();
    List<RecordedEvent> started;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ProcessStart");
      recording.start();
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
      while (it.hasNext()) {
        LocatedFileStatus s = it.next();
        listed.put(s.getPath().getParent().getName() + "/" + s.getPath().getName(), s);
      }
      FileStatus one = fs.getFileStatus(new org.apache.hadoop.fs.Path(dir, "epoch_000001"));
      assertTrue(one.isDirectory());
      one.getPermission();
      recording.stop();
      Path dump = tmp.resolve("events.jfr");
      recording.dump(dump);
      started = RecordingFile.readAllEvents(dump);
    }
    assertEquals(List.of(), started, "processes started while listing");
    // the checksummed file system leaves its .crc files out of listings
    assertEquals(
        List.of("epoch_000000/weights.bin", "epoch_000001/weights.bin"),
        List.copyOf(listed.keySet()));
    FileStatus weights = listed.get("epoch_000001/weights.bin");
    assertEquals(0640, weights.getPermission().toShort());
    assertEquals(owner, weights.getOwner());
    assertEquals(1, weights.getLen());
    assertEquals(
        Files.getLastModifiedTime(tmp.resolve("run/epoch_000001/weights.bin")).toMillis(),
        weights.getModificationTime());
    fs.close();
  }

  /**
   * The command line makes this the {@code file:} file system of every configuration, plain {@code
   * new Configuration()} included: Hadoop caches the first {@code file:} file system per JVM, and
   * the demo's run lock (taken with a plain configuration before the Spark session) once left every
   * training task forking chmod and ls for each checkpoint file. Checked in fresh JVMs: this test
   * JVM has the default already ({@link ForklessDefaultExtension}), so here the check could not
   * fail.
   */
  @Test
  void theCommandLineMakesItTheDefaultOfPlainConfigurations() throws Exception {
    assertEquals(
        List.of(
            org.apache.hadoop.fs.LocalFileSystem.class.getName(),
            org.apache.hadoop.fs.LocalFileSystem.class.getName()),
        probe(false),
        "a JVM without the command line");
    // an explicit setting (a site file, spark.hadoop.fs.file.impl) still wins
    assertEquals(
        List.of(
            ForklessLocalFileSystem.class.getName(),
            org.apache.hadoop.fs.LocalFileSystem.class.getName()),
        probe(true),
        "a JVM that built the command line");
  }

  /** The file: file systems of a plain and of an explicit configuration, from a fresh JVM. */
  private List<String> probe(boolean commandLine) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    cmd.add(tmp.toUri().toString());
    if (commandLine) {
      cmd.add("--command-line");
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out.lines().filter(l -> l.startsWith("file: ")).map(l -> l.substring(6)).toList();
  }

  /** The probe's JVM: prints the class of each configuration's file: file system. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      if (args.length > 1 && args[1].equals("--command-line")) {
        org.bratscv.jobs.cli.BratsCv.commandLine();
      }
      Configuration explicit = new Configuration();
      explicit.set(
          ForklessLocalFileSystem.KEY, org.apache.hadoop.fs.LocalFileSystem.class.getName());
      for (Configuration conf : List.of(new Configuration(), explicit)) {
        try (FileSystem fs = FileSystem.newInstance(java.net.URI.create(args[0]), conf)) {
          System.out.println("file: " + fs.getClass().getName());
        }
      }
    }
  }

  @Test
  void modeIsTheInverseOfPosix() {
    for (int mode = 0; mode < 01000; mode++) {
      assertEquals(mode, ForklessLocalFileSystem.mode(ForklessLocalFileSystem.posix(mode)));
    }
  }
}
