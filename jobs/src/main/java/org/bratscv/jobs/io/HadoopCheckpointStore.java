package org.bratscv.jobs.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.bratscv.model.train.checkpoint.CheckpointStore;

/**
 * Training checkpoints on any Hadoop file system, so a retried Spark task on another executor
 * resumes from the last epoch its predecessor finished. Entries are written atomically through
 * {@link OutputRoot#writeAtomically}; names are checked part by part, so no entry lands outside the
 * store's folder.
 */
public final class HadoopCheckpointStore implements CheckpointStore {
  private final FileSystem fs;
  private final Path root;

  public HadoopCheckpointStore(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  private Path path(String name) {
    Path p = root;
    for (String part : name.split("/")) {
      p = new Path(p, OutputRoot.checkPart(part));
    }
    return p;
  }

  @Override
  public void put(String name, Payload payload) throws IOException {
    OutputRoot.writeAtomically(fs, path(name), payload::writeTo);
  }

  @Override
  public InputStream open(String name) throws IOException {
    Path p = path(name);
    if (!fs.exists(p)) {
      throw new NoSuchFileException(p.toString());
    }
    return fs.open(p);
  }

  @Override
  public boolean exists(String name) throws IOException {
    return fs.exists(path(name));
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    List<String> out = new ArrayList<>();
    if (!fs.exists(root)) {
      return out;
    }
    // the listing names files by their full path (/user/me/runs/r1/... on HDFS, the working
    // folder's on a local disk): a root without scheme or with a relative path ("runs/r1") must be
    // qualified the same way before entry names can be cut out of it
    Path qualified = fs.makeQualified(root);
    String base = qualified.toUri().getPath();
    RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(qualified, true);
    while (it.hasNext()) {
      FileStatus s = it.next();
      String rel = s.getPath().toUri().getPath().substring(base.length() + 1);
      if (rel.startsWith(prefix)
          && !s.getPath().getName().startsWith(OutputRoot.TEMP_PREFIX)
          && !s.getPath().getName().endsWith(".crc")) {
        out.add(rel);
      }
    }
    out.sort(null);
    return out;
  }

  @Override
  public void delete(String name) throws IOException {
    fs.delete(path(name), true);
    // drop the folders of the name that are left empty, as the local store does, so pruned
    // checkpoints leave nothing behind (never the store's own folder)
    for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
      Path dir = path(name.substring(0, slash));
      if (!fs.exists(dir) || fs.listStatus(dir).length > 0) {
        break;
      }
      fs.delete(dir, true);
    }
  }

  @Override
  public String describe() {
    return root.toString();
  }
}
