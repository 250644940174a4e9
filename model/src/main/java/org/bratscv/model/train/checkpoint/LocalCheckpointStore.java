package org.bratscv.model.train.checkpoint;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link CheckpointStore} in a local folder. Each put writes a hidden temporary file next to the
 * target, syncs it to disk and renames it over the target atomically.
 */
public final class LocalCheckpointStore implements CheckpointStore {

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final Path root;

  public LocalCheckpointStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  private Path resolve(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("checkpoint entry name must not be empty");
    }
    for (String segment : name.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals("..")) {
        throw new IllegalArgumentException(
            "bad checkpoint entry name '"
                + name
                + "': use '/'-separated segments of letters, digits, '.', '_', '-'");
      }
    }
    return root.resolve(name);
  }

  @Override
  public void put(String name, Payload payload) throws IOException {
    Path target = resolve(name);
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    boolean done = false;
    try {
      try (FileOutputStream file = new FileOutputStream(temp.toFile());
          OutputStream out = new BufferedOutputStream(file, 1 << 20)) {
        payload.writeTo(new NonClosingOutputStream(out));
        out.flush();
        file.getFD().sync();
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
  }

  @Override
  public InputStream open(String name) throws IOException {
    Path p = resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(p.toString(), null, "no checkpoint entry '" + name + "'");
    }
    return Files.newInputStream(p);
  }

  @Override
  public boolean exists(String name) {
    return Files.isRegularFile(resolve(name));
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return names;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files
          .filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace(java.io.File.separatorChar, '/'))
          .filter(n -> !n.startsWith(".") && !n.contains("/."))
          .filter(n -> n.startsWith(prefix))
          .sorted()
          .forEach(names::add);
    }
    return names;
  }

  @Override
  public void delete(String name) throws IOException {
    Path p = resolve(name);
    Files.deleteIfExists(p);
    // drop the folder once it is empty, so deleted checkpoints leave nothing behind
    Path dir = p.getParent();
    while (dir != null && !dir.equals(root) && Files.isDirectory(dir)) {
      try (Stream<Path> rest = Files.list(dir)) {
        if (rest.findAny().isPresent()) {
          break;
        }
      }
      Files.deleteIfExists(dir);
      dir = dir.getParent();
    }
  }

  @Override
  public String describe() {
    return root.toString();
  }

  /** Lets a payload close its wrapper streams without closing the file before the sync. */
  private static final class NonClosingOutputStream extends java.io.FilterOutputStream {
    NonClosingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
