package org.bratscv.jobs.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;

/**
 * The folder a run writes into, on any Hadoop file system. Every output path is built here from
 * plain name parts (case ids, stage names), so nothing can be written outside the root whatever a
 * case id or file name contains; and every file is published only when complete, so a killed or
 * retried task never leaves a half-written file ({@link #writeAtomically}: a temporary name and a
 * rename on file systems, the object's own stream on object stores).
 */
public final class OutputRoot implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * A name part: letters, digits, '.', '_', '-' and no leading dot (so no "..", no hidden files).
   */
  private static final Pattern SAFE_PART =
      Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9._\\-]{0,199}");

  /**
   * Temporary files carry this prefix; each stage removes leftovers of killed writers when it ends
   * ({@link #removeTemporaries}).
   */
  public static final String TEMP_PREFIX = "_tmp.";

  /** The folder Spark's (Hadoop's) file committers stage their task outputs in. */
  public static final String SPARK_TEMPORARY = "_temporary";

  private static final Map<URI, Optional<FileContext>> FILE_CONTEXTS = new ConcurrentHashMap<>();

  private final String root;

  public OutputRoot(String root) {
    this.root = new Path(root).toString();
  }

  public String uri() {
    return root;
  }

  public Path path() {
    return new Path(root);
  }

  public FileSystem fileSystem(Configuration conf) throws IOException {
    return path().getFileSystem(conf);
  }

  /**
   * Why a run could not write under this root, or null when it can: the root, if it exists, must be
   * a writable folder; otherwise its nearest existing ancestor must be (the run creates the rest).
   * Read-only, for {@code brats-cv check}.
   */
  public String whyNotWritable(Configuration conf) {
    try {
      FileSystem fs = fileSystem(conf);
      Path p = fs.makeQualified(path());
      while (p != null && !fs.exists(p)) {
        p = p.getParent();
      }
      if (p == null) {
        return "no part of " + root + " exists";
      }
      if (!fs.getFileStatus(p).isDirectory()) {
        return p + " is a file, not a folder";
      }
      try {
        fs.access(p, org.apache.hadoop.fs.permission.FsAction.WRITE);
      } catch (org.apache.hadoop.security.AccessControlException e) {
        return p + " is not writable: " + e.getMessage();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "cannot reach " + root + ": " + (e.getMessage() == null ? e : e.getMessage());
    }
  }

  /**
   * The path {@code root/part1/part2/...}. Each part must be a plain name; anything that could
   * climb out of the root or hide a file ("..", "/", a leading dot, control characters) is refused.
   */
  public Path resolve(String... parts) {
    Path p = path();
    for (String part : parts) {
      p = new Path(p, checkPart(part));
    }
    return p;
  }

  /** Fails unless {@code part} is a plain file or folder name. */
  public static String checkPart(String part) {
    if (part == null || !SAFE_PART.matcher(part).matches()) {
      throw new IllegalArgumentException(
          "refusing output name '"
              + part
              + "': only letters, digits, '.', '_' and '-' are allowed, not starting with '.'");
    }
    return part;
  }

  /** Writes one file atomically. */
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code target} so that it appears only complete; an existing target is replaced, and a
   * write that fails leaves the previous target (or none) and nothing else. How depends on the file
   * system ({@link #publishesOnClose}): on an object store the object is written in place and
   * published by closing its stream, or abandoned; elsewhere a temporary sibling is written and
   * renamed into place.
   */
  public static void writeAtomically(FileSystem fs, Path target, Writer writer) throws IOException {
    if (publishesOnClose(fs, target)) {
      writeInPlace(fs, target, writer);
    } else {
      writeAndRename(fs, target, writer);
    }
  }

  /**
   * True where a file becomes visible only when its output stream closes and an unfinished stream
   * can be abandoned without publishing anything: object stores such as S3 ({@code s3a:}). There a
   * rename is a copy of every byte and not atomic, so files are written in place; HDFS and local
   * disks rename. Decided by the file system's own path capability, not by the scheme, so a
   * connector that gains the capability is treated alike.
   */
  public static boolean publishesOnClose(FileSystem fs, Path path) throws IOException {
    return fs.hasPathCapability(path, CommonPathCapabilities.ABORTABLE_STREAM);
  }

  private static void writeInPlace(FileSystem fs, Path target, Writer writer) throws IOException {
    FSDataOutputStream out = fs.create(target, true);
    try {
      writer.write(out);
    } catch (Throwable t) {
      // close() would publish what was written so far: abandon the upload instead
      try {
        out.abort();
      } catch (RuntimeException e) {
        t.addSuppressed(e);
      }
      throw t;
    }
    out.close();
  }

  private static void writeAndRename(FileSystem fs, Path target, Writer writer) throws IOException {
    Path tmp =
        new Path(target.getParent(), TEMP_PREFIX + target.getName() + "." + UUID.randomUUID());
    fs.mkdirs(target.getParent());
    ChecksumFileSystem checksummed = fs instanceof ChecksumFileSystem c ? c : null;
    boolean done = false;
    try {
      try (FSDataOutputStream out = fs.create(tmp, false)) {
        writer.write(out);
      }
      if (checksummed != null) {
        // Hadoop's checksummed local file system renames the data file and then its checksum
        // file: a writer killed between the two would leave the new data under the old checksum,
        // a file no read gets past. Without a checksum file the data is read unchecked, so the
        // old one goes first and the window holds a complete, readable file whatever happens.
        checksummed.getRawFileSystem().delete(checksummed.getChecksumFile(target), false);
      }
      // A local disk's rename replaces an existing file in one step, so a reader (a report during
      // training reading log.csv) never finds the target missing.
      if (!fs.rename(tmp, target)) {
        replaceExisting(fs, tmp, target);
      }
      done = true;
    } finally {
      if (!done) {
        fs.delete(tmp, false);
        if (checksummed != null) {
          // gone already where the data file was renamed before the failure
          checksummed.getRawFileSystem().delete(checksummed.getChecksumFile(tmp), false);
        }
      }
    }
  }

  /**
   * Moves {@code tmp} over {@code target} where {@link FileSystem#rename} refused, as HDFS's does
   * for an existing target. The file system's rename with {@link Options.Rename#OVERWRITE} (through
   * {@link FileContext}: one operation on HDFS's name node) replaces it in one step, so a reader
   * never finds it missing; a file system without that operation gets the target deleted first,
   * which leaves a moment without it.
   */
  private static void replaceExisting(FileSystem fs, Path tmp, Path target) throws IOException {
    Path from = fs.makeQualified(tmp);
    Path to = fs.makeQualified(target);
    if (fs.exists(to)) {
      FileContext context = fileContext(fs);
      if (context != null) {
        context.rename(from, to, Options.Rename.OVERWRITE);
        return;
      }
      if (!fs.delete(to, false) && fs.exists(to)) {
        throw new IOException("cannot replace " + to);
      }
    }
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }

  /** How many times {@link #readReplaced} reads a file before a failed read counts. */
  static final int REPLACED_READ_TRIES = 5;

  /**
   * The bytes of a file that {@link #writeAtomically} may be replacing at this moment (a running
   * task's {@code log.csv}, read by a report). The replacement never leaves it missing or
   * incomplete, but a read under way can still fail, and then the file is read again after a moment
   * (up to {@value #REPLACED_READ_TRIES} times): Hadoop's checksummed local file system opens the
   * data file and then its checksum file, so a read that opens the old text just before the new
   * checksum file is renamed into place checks one against the other; on HDFS the replaced file's
   * blocks go with it, so a reader that opened it finds them gone ("Blocklist for ... has
   * changed!"). A missing file is not retried.
   */
  public static byte[] readReplaced(FileSystem fs, Path file) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (InputStream in = fs.open(file)) {
        return in.readAllBytes();
      } catch (FileNotFoundException missing) {
        throw missing;
      } catch (IOException e) {
        if (attempt >= REPLACED_READ_TRIES) {
          throw e;
        }
        try {
          Thread.sleep(10L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * The file context of {@code fs}'s file system, or null where the scheme has none. One per file
   * system URI for the JVM's life, as Hadoop caches file systems: HDFS's opens a client of its own.
   */
  private static FileContext fileContext(FileSystem fs) {
    return FILE_CONTEXTS
        .computeIfAbsent(
            fs.getUri(),
            uri -> {
              try {
                return Optional.of(FileContext.getFileContext(uri, fs.getConf()));
              } catch (UnsupportedFileSystemException e) {
                return Optional.empty(); // no AbstractFileSystem for this scheme
              }
            })
        .orElse(null);
  }

  /** True for the name of a temporary file or folder that no complete output carries. */
  public static boolean isTemporary(String name) {
    return name.startsWith(TEMP_PREFIX) || name.equals(SPARK_TEMPORARY);
  }

  /**
   * Deletes the temporary files ({@value #TEMP_PREFIX}...) and Spark staging folders ({@value
   * #SPARK_TEMPORARY}) under {@code dir}, at any depth (or only directly in it when {@code
   * recursive} is false). A writer killed mid-file (a lost executor, a killed driver) leaves its
   * temporary behind, and nothing else would ever remove it: a stage calls this once its tasks are
   * done, when no writer of its own can still be running. On Hadoop's checksummed local file system
   * a temporary's checksum file goes with it, and so does one left alone by a writer killed after
   * renaming the data file but before renaming its checksum file (that file system's own listing
   * hides checksum files, so the folders are listed through the raw one beneath it).
   *
   * @return how many were deleted (a temporary and its checksum file count once)
   */
  public static int removeTemporaries(FileSystem fs, Path dir, boolean recursive)
      throws IOException {
    if (!fs.exists(dir)) {
      return 0;
    }
    FileSystem raw = fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    int removed = 0;
    Deque<Path> folders = new ArrayDeque<>();
    folders.push(dir);
    while (!folders.isEmpty()) {
      List<Path> orphanChecksums = new ArrayList<>();
      for (FileStatus s : raw.listStatus(folders.pop())) {
        String name = s.getPath().getName();
        if (isTemporary(name)) {
          fs.delete(s.getPath(), true);
          removed++;
        } else if (raw != fs && isTemporaryChecksum(name)) {
          orphanChecksums.add(s.getPath()); // unless deleted with its data file above
        } else if (s.isDirectory() && recursive) {
          folders.push(s.getPath());
        }
      }
      for (Path checksum : orphanChecksums) {
        if (raw.delete(checksum, false)) {
          removed++;
        }
      }
    }
    return removed;
  }

  /** True for the name of the checksum file Hadoop's local file system keeps beside a temporary. */
  private static boolean isTemporaryChecksum(String name) {
    return name.startsWith("." + TEMP_PREFIX) && name.endsWith(".crc");
  }
}
