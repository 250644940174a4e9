package org.bratscv.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the {@code brats-cv check} invocations that {@link DocumentedCommandsTest}'s command lines
 * recorded in one folder, in this one JVM started there (one JVM per folder instead of one per
 * command): each line of the file is a command line's id, then the check's arguments, each after a
 * unit separator (0x1f). Prints {@code === <id> <exit code>} and the check's output for each.
 */
final class CheckBatch {
  static final String SEPARATOR = "\u001f";

  private CheckBatch() {}

  public static void main(String[] args) throws IOException {
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      String[] parts = line.split(SEPARATOR, -1);
      List<String> check = new ArrayList<>(List.of("check"));
      check.addAll(List.of(parts).subList(1, parts.length));
      CliRun r = CliRun.of(check.toArray(String[]::new));
      System.out.println("=== " + parts[0] + " " + r.exitCode());
      System.out.println(r.out() + r.err());
    }
  }
}
