package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a report reading a running task's {@code log.csv} sees: a reader thread polls a file while
 * {@link OutputRoot#writeAtomically} replaces it over and over, and must always find it, complete.
 */
public final class ReplacedFileReader {
  private ReplacedFileReader() {}

  /** How the reader reads the file: which version it found, or an exception. */
  public interface Read {
    int version() throws IOException;
  }

  /** Version {@code i} of a plain file: its number on a line. */
  public static String numbered(int i) {
    return i + "\n";
  }

  /**
   * A {@link #numbered} file's version, read through {@code fs} as a report reads a running task's
   * log ({@link OutputRoot#readReplaced}: a read that fails under the replacement is made again; a
   * missing or incomplete file still fails).
   */
  public static Read through(FileSystem fs, Path target) {
    return () -> versionOf(new String(OutputRoot.readReplaced(fs, target), StandardCharsets.UTF_8));
  }

  /** The version a {@link #numbered} file's text holds; fails on anything else. */
  public static int versionOf(String text) throws IOException {
    if (!text.matches("\\d+\n")) {
      throw new IOException("incomplete: '" + text + "'");
    }
    return Integer.parseInt(text.strip());
  }

  /**
   * Writes version 0 of {@code target}, then replaces it with versions 1 to {@code times} while a
   * thread polls it with {@code read}: every read must succeed, and the last must find the last
   * version.
   */
  public static void assertNeverMissingWhileReplaced(
      FileSystem fs, Path target, int times, IntFunction<String> version, Read read)
      throws Exception {
    OutputRoot.writeAtomically(fs, target, out -> out.write(bytes(version, 0)));
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<String> problem = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              while (writing.get() && problem.get() == null) {
                try {
                  int found = read.version();
                  if (found < 0 || found > times) {
                    problem.set("found version " + found);
                  }
                  reads.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                  problem.set(e.toString());
                }
              }
            });
    reader.start();
    try {
      for (int i = 1; i <= times && problem.get() == null; i++) {
        byte[] bytes = bytes(version, i);
        OutputRoot.writeAtomically(fs, target, out -> out.write(bytes));
      }
    } finally {
      writing.set(false);
      reader.join();
    }
    assertNull(problem.get(), "after " + reads.get() + " reads");
    assertTrue(reads.get() > 0);
    assertEquals(times, read.version());
  }

  private static byte[] bytes(IntFunction<String> version, int i) {
    return version.apply(i).getBytes(StandardCharsets.UTF_8);
  }
}
