package org.bratscv.jobs.io;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
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
 * brats-cv bench preprocess}). Statuses (one file's, or a listing's) carry their permissions, owner
 * and group read through Java too: the raw file system reads them with a forked {@code ls -ld} per
 * file the first time they are asked for, which {@code listFiles} always does (a training task
 * listing its checkpoints after every epoch forked about five processes a second). Registered as
 * {@code fs.file.impl} for every brats-cv Spark session and driver configuration ({@link
 * #register}).
 */
public final class ForklessLocalFileSystem extends LocalFileSystem {
  /** The Hadoop key that names the {@code file:} implementation. */
  public static final String KEY = "fs.file.impl";

  public ForklessLocalFileSystem() {
    super(new JavaPermissions());
  }

  /**
   * The raw local file system, with {@code chmod} done by {@code java.nio}. Not final: the tests'
   * HDFS-like file system is this one with HDFS's rename.
   */
  static class JavaPermissions extends RawLocalFileSystem {
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

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
      return POSIX ? withJavaAttributes(super.getFileStatus(f)) : super.getFileStatus(f);
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
      FileStatus[] list = super.listStatus(f);
      if (POSIX) {
        for (int i = 0; i < list.length; i++) {
          list[i] = withJavaAttributes(list[i]);
        }
      }
      return list;
    }

    /**
     * {@code s} with its permission, owner and group read by {@code java.nio} (one {@code lstat},
     * no process). A file gone since {@code s} was made keeps the raw status (its permission would
     * not load either way).
     */
    private FileStatus withJavaAttributes(FileStatus s) throws IOException {
      PosixFileAttributes a;
      try {
        a =
            Files.readAttributes(
                pathToFile(s.getPath()).toPath(),
                PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return s;
      }
      return new FileStatus(
          s.getLen(),
          s.isDirectory(),
          s.getReplication(),
          s.getBlockSize(),
          s.getModificationTime(),
          s.getAccessTime(),
          new FsPermission((short) mode(a.permissions())),
          a.owner().getName(),
          a.group().getName(),
          s.isSymlink() ? s.getSymlink() : null,
          s.getPath());
    }
  }

  /** The mode bits of a permission set: the inverse of {@link #posix}. */
  static int mode(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (int bit = 0; bit < 9; bit++) {
      if (permissions.contains(ORDER[bit])) {
        mode |= 1 << bit;
      }
    }
    return mode;
  }

  private static final PosixFilePermission[] ORDER = {
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

  /**
   * The nine rwx bits of {@code mode} as Java's permission set (sticky and set-id bits dropped).
   */
  static Set<PosixFilePermission> posix(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < ORDER.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        out.add(ORDER[bit]);
      }
    }
    return out;
  }

  /** The classpath resource that {@link #installDefault} adds to Hadoop's default resources. */
  static final String DEFAULT_RESOURCE = "org/bratscv/jobs/io/forkless-local-fs.xml";

  /**
   * Makes this class the {@code file:} implementation of every {@link
   * org.apache.hadoop.conf.Configuration} this JVM creates (a default resource, so site files and
   * explicit settings still override it). Setting the key on some configurations is not enough:
   * Hadoop caches one file system per scheme, and the first {@code FileSystem.get} of a {@code
   * file:} path decides it for the whole JVM; a configuration file read or a run lock taken with a
   * plain {@code new Configuration()} before the Spark session existed left every training task
   * with the forking raw file system (a chmod per file written, an {@code ls -ld} per file listed).
   * Idempotent; the command line calls it before any command runs.
   */
  public static void installDefault() {
    org.apache.hadoop.conf.Configuration.addDefaultResource(DEFAULT_RESOURCE);
  }

  /** Sets {@code fs.file.impl} in {@code conf} to this class unless something else is set. */
  public static void register(org.apache.hadoop.conf.Configuration conf) {
    if (conf.get(KEY) == null) {
      conf.set(KEY, ForklessLocalFileSystem.class.getName());
    }
  }
}
