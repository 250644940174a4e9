package org.bratscv.jobs.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.io.OutputRoot;

/**
 * The JSON records of the run folder (fingerprints, provenance): indented, map keys sorted so that
 * two records of the same thing are the same text, written atomically.
 */
final class RunJson {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private RunJson() {}

  static void write(FileSystem fs, Path file, Object record) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(record);
    OutputRoot.writeAtomically(fs, file, o -> o.write(bytes));
  }

  /** Reads an existing {@code file}; a file that is not such a record is an error naming it. */
  static <T> T read(FileSystem fs, Path file, Class<T> type, String what) throws IOException {
    try (InputStream in = fs.open(file)) {
      return JSON.readValue(in, type);
    } catch (IOException e) {
      throw new IOException(file + ": not a " + what + ": " + e.getMessage(), e);
    }
  }
}
