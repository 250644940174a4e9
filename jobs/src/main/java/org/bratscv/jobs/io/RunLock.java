package org.bratscv.jobs.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock of an output root: while a run command writes into a root, the file {@value #FILE_NAME}
 * in it names the run (host, pid, user, command line, start time, as one JSON object), and a second
 * command on the same root is refused with {@link HeldException}. The lock is released when the run
 * ends, also on an exception, and by a shutdown hook on Ctrl-C or {@code kill}.
 *
 * <p>A lock left by a process that died without its hooks ({@code kill -9}, a lost machine) is
 * stale. When its holder ran on this host and its pid is gone (or now belongs to a younger
 * process), the next run takes it over with a warning. A lock written on another host is never
 * taken over: this host cannot tell whether that run is alive, so it must be removed by hand.
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The lock file's name in the root: a plain name ({@link OutputRoot#checkPart}) that is not a
   * temporary, so {@link OutputRoot#removeTemporaries} leaves it alone.
   */
  public static final String FILE_NAME = "brats-cv.lock";

  /**
   * The release hook's priority among Hadoop's shutdown hooks: after Spark's context stops (50), so
   * no task still writes, and before Hadoop closes its file systems (10), so the lock can go.
   */
  static final int SHUTDOWN_PRIORITY = 30;

  /** A lock holder that writes its file is given this long before its file counts as unreadable. */
  private static final long WRITING_GRACE_MS = 500;

  /** Who holds a lock: what the lock file says. */
  public record Holder(String host, long pid, String user, String command, Instant since) {
    /** This process, running {@code command}, from now. */
    public static Holder current(String command) {
      return new Holder(
          localHost(),
          ProcessHandle.current().pid(),
          System.getProperty("user.name", "unknown"),
          command,
          Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    /** The lock file's content: one JSON object, since as a UTC ISO-8601 instant. */
    public String toJson() {
      ObjectNode o = JSON.createObjectNode();
      o.put("host", host).put("pid", pid).put("user", user).put("command", command);
      o.put("since", since.toString());
      return o.toString() + "\n";
    }

    /** Reads a lock file's content; fails when a field is missing or malformed. */
    public static Holder parse(String json) throws IOException {
      JsonNode o = JSON.readTree(json);
      if (o == null || !o.isObject()) {
        throw new IOException("not a JSON object");
      }
      for (String field : new String[] {"host", "pid", "user", "command", "since"}) {
        if (!o.hasNonNull(field)) {
          throw new IOException("no '" + field + "'");
        }
      }
      try {
        return new Holder(
            o.get("host").asText(),
            o.get("pid").asLong(),
            o.get("user").asText(),
            o.get("command").asText(),
            Instant.parse(o.get("since").asText()));
      } catch (DateTimeParseException e) {
        throw new IOException("'since' is not an ISO-8601 instant: " + o.get("since"));
      }
    }

    /** {@code "<command> (host h, pid 42, user u, since 2026-11-27T22:30:01Z)"}. */
    public String describe() {
      return command
          + " (host "
          + host
          + ", pid "
          + pid
          + ", user "
          + user
          + ", since "
          + since
          + ")";
    }
  }

  /** The root is locked by another run; the message is one line naming the holder. */
  public static final class HeldException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Holder holder;

    HeldException(Path file, Holder holder, String why) {
      super(message(file, holder, why));
      this.holder = holder;
    }

    private static String message(Path file, Holder holder, String why) {
      String root = file.getParent().toString();
      if (holder == null) {
        return "output "
            + root
            + " is locked: "
            + file
            + " cannot be read as a brats-cv lock ("
            + why
            + "); if no brats-cv run writes there, remove that file";
      }
      return "output "
          + root
          + " is locked by "
          + holder.describe()
          + "; "
          + why
          + "; if that process is gone, remove "
          + file;
    }

    /** The holder, or empty when the lock file could not be read. */
    public Optional<Holder> holder() {
      return Optional.ofNullable(holder);
    }
  }

  private final FileSystem fs;
  private final Path file;
  private final Holder holder;
  private final Holder takenOverFrom;
  private final Runnable hook = this::release;
  private boolean released;

  private RunLock(FileSystem fs, Path file, Holder holder, Holder takenOverFrom) {
    this.fs = fs;
    this.file = file;
    this.holder = holder;
    this.takenOverFrom = takenOverFrom;
    ShutdownHookManager.get().addShutdownHook(hook, SHUTDOWN_PRIORITY);
  }

  /**
   * Locks {@code root} for this process running {@code command} (the command line, for whoever
   * finds the lock); creates the root if needed. A stale lock of this host is taken over.
   *
   * @throws HeldException when another live (or unverifiable) run holds the root
   */
  public static RunLock acquire(Configuration conf, OutputRoot root, String command)
      throws IOException {
    FileSystem fs = root.fileSystem(conf);
    Path file = root.resolve(FILE_NAME);
    Holder me = Holder.current(command);
    fs.mkdirs(root.path());
    Holder stale = null;
    // a few rounds: a lock removed or taken over between our create and our read is looked at again
    for (int round = 0; round < 3; round++) {
      if (createExclusively(fs, file, me)) {
        return new RunLock(fs, file, me, stale);
      }
      Optional<Holder> other = read(fs, file);
      if (other.isEmpty()) {
        continue;
      }
      Holder h = other.get();
      if (!h.host().equals(me.host())) {
        throw new HeldException(
            file, h, "a lock of another host is never taken over automatically");
      }
      if (isAlive(h)) {
        throw new HeldException(file, h, "that process is still running");
      }
      LOG.warn(
          "taking over the stale lock {}: its holder {} is no longer running on this host",
          file,
          h.describe());
      // remove only the lock we judged: another run may have taken it over meanwhile
      if (read(fs, file).filter(h::equals).isPresent()) {
        fs.delete(file, false);
      }
      stale = h;
    }
    Optional<Holder> last = read(fs, file);
    throw new HeldException(file, last.orElse(null), "it changed hands while we looked");
  }

  /** The file this lock lives in. */
  public Path file() {
    return file;
  }

  /** What this lock's file says. */
  public Holder holder() {
    return holder;
  }

  /** The dead run whose stale lock this one replaced, if any. */
  public Optional<Holder> takenOverFrom() {
    return Optional.ofNullable(takenOverFrom);
  }

  /** Releases the lock (once; later calls do nothing). */
  @Override
  public void close() {
    try {
      ShutdownHookManager.get().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or will: release() is idempotent
    }
    release();
  }

  /**
   * Deletes the lock file if it is still this run's. Never throws: a run that finished must not
   * fail for its lock, but a lock left behind blocks the next run, so that is logged as an error.
   */
  private synchronized void release() {
    if (released) {
      return;
    }
    released = true;
    try {
      Optional<Holder> now = read(fs, file);
      if (now.isEmpty()) {
        LOG.warn("lock {} was already removed", file);
      } else if (!now.get().equals(holder)) {
        LOG.warn("lock {} now belongs to {}: left in place", file, now.get().describe());
      } else if (!fs.delete(file, false)) {
        LOG.error("could not remove lock {}: remove it by hand before the next run", file);
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("could not remove lock {} ({}): remove it by hand before the next run", file, e);
    }
  }

  /**
   * Creates {@code file} with {@code me}'s content unless it exists. Hadoop's local file system
   * checks for the file and then opens it, so two runs starting at the same instant could both
   * pass; on a local disk the file is therefore created with O_EXCL. HDFS's create is atomic.
   */
  private static boolean createExclusively(FileSystem fs, Path file, Holder me) throws IOException {
    byte[] bytes = me.toJson().getBytes(StandardCharsets.UTF_8);
    if ("file".equals(fs.getScheme())) {
      java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(file).toUri());
      try (OutputStream out =
          Files.newOutputStream(local, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        out.write(bytes);
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      }
    }
    try (FSDataOutputStream out = fs.create(file, false)) {
      out.write(bytes);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      // some file systems report an existing file with a plain IOException
      if (fs.exists(file)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * The holder named by {@code file}; empty when there is no file. A file that stays unreadable
   * (its writer may be mid-write) past a short grace period is refused as held by an unknown run.
   */
  static Optional<Holder> read(FileSystem fs, Path file) throws IOException {
    long deadline = System.currentTimeMillis() + WRITING_GRACE_MS;
    while (true) {
      String text;
      try (InputStream in = fs.open(file)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.FileNotFoundException e) {
        return Optional.empty();
      }
      try {
        return Optional.of(Holder.parse(text));
      } catch (IOException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new HeldException(file, null, e.getMessage());
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading " + file, e);
      }
    }
  }

  /**
   * Whether the holder's process (on this host) still runs. A live process with the same pid that
   * started after the lock was written is another program that reused the pid.
   */
  static boolean isAlive(Holder h) {
    return ProcessHandle.of(h.pid())
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().startInstant().map(s -> !s.isAfter(h.since())).orElse(true))
        .isPresent();
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env != null && !env.isBlank() ? env : "unknown-host";
    }
  }
}
