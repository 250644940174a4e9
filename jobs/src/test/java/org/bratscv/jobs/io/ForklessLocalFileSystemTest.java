package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
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
}
