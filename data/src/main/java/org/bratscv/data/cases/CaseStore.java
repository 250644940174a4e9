package org.bratscv.data.cases;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The little of a file system that case discovery needs: list a folder, test for a file, read a
 * small file (a {@code dataset.json}, a CSV manifest). Paths are strings so the same discovery runs
 * on the local disk ({@link LocalCaseStore}) and, in the Spark jobs, on any Hadoop file system
 * (hdfs:, s3a:).
 */
public interface CaseStore {
  /** One entry of a folder listing. */
  record Entry(String name, String path, boolean directory) {}

  /** The entries of folder {@code path}, in any order. */
  List<Entry> list(String path) throws IOException;

  /** True when {@code path} exists and is a folder. */
  boolean isDirectory(String path) throws IOException;

  /** True when {@code path} exists and is a file. */
  boolean isFile(String path) throws IOException;

  /** Opens file {@code path} for reading; the caller closes the stream. */
  InputStream open(String path) throws IOException;
}
