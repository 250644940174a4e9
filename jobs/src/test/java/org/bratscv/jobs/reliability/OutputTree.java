package org.bratscv.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bratscv.model.train.checkpoint.Checkpoints;
import org.bratscv.model.train.checkpoint.LocalCheckpointStore;

/**
 * What the fault-injection tests check in an output root on the local disk, read with plain
 * java.nio (so nothing is hidden the way Hadoop's local file system hides its {@code .crc} files):
 * no temporary is left, every CSV is a complete table, every checkpoint folder verifies.
 */
final class OutputTree {
  private OutputTree() {}

  /** Every regular file under {@code root}, by path relative to it. */
  static TreeSet<String> files(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      TreeSet<String> out = new TreeSet<>();
      all.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString()));
      return out;
    }
  }

  /**
   * The files a run is judged by: no checksum siblings, and Spark's part files (whose names carry a
   * random id) by their folder only.
   */
  static TreeSet<String> outputs(Path root) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    for (String f : files(root)) {
      String name = Path.of(f).getFileName().toString();
      if (name.endsWith(".crc")) {
        continue;
      }
      out.add(name.startsWith("part-") ? Path.of(f).getParent() + "/part-*" : f);
    }
    return out;
  }

  /**
   * Every file or folder under {@code root} that a killed writer may leave: brats-cv's {@code
   * _tmp.*} files (and their {@code ._tmp.*.crc} siblings), Spark's {@code _temporary} folders.
   */
  static List<String> temporaries(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(
              p -> {
                String n = p.getFileName().toString();
                return n.contains("_tmp.") || n.equals("_temporary");
              })
          .map(p -> root.relativize(p).toString())
          .toList();
    }
  }

  /** Fails naming every file or folder under {@code root} that a killed writer left behind. */
  static void assertNoTemporaries(Path root) throws IOException {
    assertEquals(List.of(), temporaries(root), "temporary files remain under " + root);
  }

  /** A CSV table: its header and rows, each row with exactly as many fields as the header. */
  record Table(List<String> header, List<List<String>> rows) {
    String get(List<String> row, String column) {
      int i = header.indexOf(column);
      if (i < 0) {
        throw new IllegalArgumentException("no column " + column + " in " + header);
      }
      return row.get(i);
    }

    /** How often each key (the values of {@code columns}) occurs, in first-seen order. */
    Map<List<String>, Integer> keyCounts(String... columns) {
      Map<List<String>, Integer> counts = new LinkedHashMap<>();
      for (List<String> r : rows) {
        List<String> key = new ArrayList<>();
        for (String c : columns) {
          key.add(get(r, c));
        }
        counts.merge(key, 1, Integer::sum);
      }
      return counts;
    }

    /** Fails unless every key occurs exactly once; returns the keys. */
    List<List<String>> assertUnique(String what, String... columns) {
      Map<List<String>, Integer> counts = keyCounts(columns);
      Map<List<String>, Integer> twice =
          new TreeMap<>(java.util.Comparator.comparing(Object::toString));
      counts.forEach(
          (k, n) -> {
            if (n > 1) {
              twice.put(k, n);
            }
          });
      assertEquals(Map.of(), twice, what + ": rows that appear more than once");
      return new ArrayList<>(counts.keySet());
    }
  }

  /** Reads an RFC 4180 table, failing when a line is cut short or has extra fields. */
  static Table csv(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(text.endsWith("\n"), file + ": the last line is not terminated (cut short?)");
    List<List<String>> lines = parse(text);
    List<String> header = lines.get(0);
    for (int i = 1; i < lines.size(); i++) {
      assertEquals(
          header.size(),
          lines.get(i).size(),
          file + " line " + (i + 1) + " has a different field count than its header " + header);
    }
    return new Table(header, lines.subList(1, lines.size()));
  }

  private static List<List<String>> parse(String text) {
    List<List<String>> lines = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        fields.add(field.toString());
        field.setLength(0);
        lines.add(fields);
        fields = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    return lines;
  }

  /**
   * Verifies every checkpoint folder under {@code trainRoot} (any folder holding a checkpoint
   * payload or manifest): its manifest must exist and every payload match its recorded size and
   * SHA-256. Returns how many folders were verified.
   */
  static int assertCheckpointsVerify(Path trainRoot) throws IOException {
    TreeSet<Path> folders = new TreeSet<>();
    try (Stream<Path> all = Files.walk(trainRoot)) {
      all.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".bin"))
          .forEach(p -> folders.add(p.getParent()));
    }
    for (Path folder : folders) {
      Checkpoints c = new Checkpoints(new LocalCheckpointStore(folder.getParent()));
      String name = folder.getFileName().toString();
      assertTrue(c.exists(name), folder + ": checkpoint payload without a manifest");
      c.readVerified(name);
    }
    return folders.size();
  }

  /** SHA-256 of every regular file under {@code root} (checksum siblings left out). */
  static Map<String, String> digests(Path root) throws IOException {
    Map<String, String> out = new HashMap<>();
    if (!Files.exists(root)) {
      return out;
    }
    for (String f : files(root)) {
      if (!f.endsWith(".crc")) {
        out.put(f, sha256(root.resolve(f)));
      }
    }
    return out;
  }

  /** Modification times of every regular file under {@code root}. */
  static Map<String, Long> modified(Path root) throws IOException {
    Map<String, Long> out = new HashMap<>();
    for (String f : files(root)) {
      out.put(f, Files.getLastModifiedTime(root.resolve(f)).toMillis());
    }
    return out;
  }

  static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void failWithLog(String message, Path log) {
    String tail;
    try {
      List<String> lines = Files.readAllLines(log);
      tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      tail = "(no log: " + e + ")";
    }
    fail(message + "\n--- last lines of " + log + " ---\n" + tail);
  }
}
