package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines README.md shows under one heading, for the tests that run them as written (and
 * for {@link DocumentedCommandsTest}, which checks that every documented line is run).
 */
final class ReadmeBlocks {
  private ReadmeBlocks() {}

  /** The repository root: the folder above the working directory that holds README.md. */
  static Path repository() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    assertTrue(p != null, "README.md not found above " + Path.of("").toAbsolutePath());
    return p;
  }

  /**
   * The command lines of the first bash block under README's heading line {@code heading} (for
   * example {@code "## Models in and out"}): continuations joined, comments and blank lines
   * dropped, each split at white space.
   */
  static List<List<String>> commands(String heading) throws IOException {
    List<String> lines = Files.readAllLines(repository().resolve("README.md"));
    int at = lines.indexOf(heading);
    assertTrue(at >= 0, "README has no heading " + heading);
    while (!lines.get(at).equals("```bash")) {
      at++;
    }
    List<List<String>> commands = new ArrayList<>();
    StringBuilder joined = new StringBuilder();
    for (int i = at + 1; !lines.get(i).equals("```"); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("#") || l.isEmpty()) {
        continue;
      }
      joined.append(l.endsWith("\\") ? l.substring(0, l.length() - 1) : l).append(' ');
      if (!l.endsWith("\\")) {
        commands.add(List.of(joined.toString().trim().split("\\s+")));
        joined.setLength(0);
      }
    }
    return commands;
  }
}
