package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a report reading a running task's {@code log.csv} sees: a reader thread polls a file while
 * {@link OutputRoot#writeAtomically} replaces it over and over, and must always find it, complete.
 */
public final class ReplacedFileReader {
  private ReplacedFileReader() {}

  /** How the reader reads the file's text. */
  public interface Read {
    String text() throws IOException;
  }

  /** {@code target}'s text read through {@code fs}. */
  public static Read through(FileSystem fs, Path target) {
    return () -> {
      try (InputStream in = fs.open(target)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    };
  }

  /**
   * Writes {@code target} once, then replaces it {@code times} times while a thread polls it with
   * {@code read}.
   */
  public static void assertNeverMissingWhileReplaced(
      FileSystem fs, Path target, int times, Read read) throws Exception {
    OutputRoot.writeAtomically(fs, target, out -> out.write(text(0)));
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<String> problem = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              while (writing.get() && problem.get() == null) {
                try {
                  String text = read.text();
                  if (!text.matches("\\d+\n")) {
                    problem.set("incomplete: '" + text + "'");
                  }
                  reads.incrementAndGet();
                } catch (IOException e) {
                  problem.set(e.toString());
                }
              }
            });
    reader.start();
    try {
      for (int i = 1; i <= times && problem.get() == null; i++) {
        byte[] bytes = text(i);
        OutputRoot.writeAtomically(fs, target, out -> out.write(bytes));
      }
    } finally {
      writing.set(false);
      reader.join();
    }
    assertNull(problem.get(), "after " + reads.get() + " reads");
    assertTrue(reads.get() > 0);
    assertEquals(times + "\n", read.text());
  }

  private static byte[] text(int i) {
    return (i + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
