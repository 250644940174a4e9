package org.bratscv.jobs.io;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's {@code file:} file system (checksummed, as {@link LocalFileSystem}) that sets file
 * permissions through Java instead of a forked {@code chmod}. Without Hadoop's native library,
 * {@link RawLocalFileSystem} forks {@code chmod} for every file and checksum file it creates and
 * every folder it makes: about 60 processes per preprocessed case, each a fork of the whole JVM,
 * which took most of the preprocess stage's time and made two tasks no faster than one ({@code
 * brats-cv bench preprocess}). Registered as {@code fs.file.impl} for every brats-cv Spark session
 * and driver configuration ({@link #register}).
 */
public final class ForklessLocalFileSystem extends LocalFileSystem {
  /** The Hadoop key that names the {@code file:} implementation. */
  public static final String KEY = "fs.file.impl";

  public ForklessLocalFileSystem() {
    super(new JavaPermissions());
  }

  /** The raw local file system, with {@code chmod} done by {@code java.nio}. */
  static final class JavaPermissions extends RawLocalFileSystem {
    private static final boolean POSIX =
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (!POSIX) {
        super.setPermission(p, permission);
        return;
      }
      Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission.toShort()));
    }
  }

  /**
   * The nine rwx bits of {@code mode} as Java's permission set (sticky and set-id bits dropped).
   */
  static Set<PosixFilePermission> posix(int mode) {
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        out.add(order[bit]);
      }
    }
    return out;
  }

  /** Sets {@code fs.file.impl} in {@code conf} to this class unless something else is set. */
  public static void register(org.apache.hadoop.conf.Configuration conf) {
    if (conf.get(KEY) == null) {
      conf.set(KEY, ForklessLocalFileSystem.class.getName());
    }
  }
}
