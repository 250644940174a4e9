package org.bratscv.jobs.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.cases.CaseStore;

/**
 * Case discovery over any Hadoop file system (file:, hdfs:, s3a:): listing, and reading the small
 * files that describe a data set ({@code dataset.json}, a CSV manifest).
 */
public final class HadoopCaseStore implements CaseStore {
  private final Configuration conf;

  public HadoopCaseStore(Configuration conf) {
    this.conf = conf;
  }

  @Override
  public List<Entry> list(String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    List<Entry> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(p)) {
      out.add(new Entry(s.getPath().getName(), s.getPath().toString(), s.isDirectory()));
    }
    return out;
  }

  @Override
  public boolean isDirectory(String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    return fs.exists(p) && fs.getFileStatus(p).isDirectory();
  }

  @Override
  public boolean isFile(String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    return fs.exists(p) && fs.getFileStatus(p).isFile();
  }

  @Override
  public InputStream open(String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).open(p);
  }
}
