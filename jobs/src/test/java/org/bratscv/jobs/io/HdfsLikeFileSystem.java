package org.bratscv.jobs.io;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Path;

/**
 * A local disk that renames the way HDFS does: {@link #rename(Path, Path)} refuses an existing
 * target (returns false), and the rename with overwrite that {@link
 * org.apache.hadoop.fs.FileContext} reaches ({@link Afs#renameInternal(Path, Path, boolean)}, as
 * HDFS's {@code Hdfs} does) replaces it in one step. Scheme {@value #SCHEME}; {@link #configure}
 * registers both halves. Permissions are set through Java, as brats-cv's {@code file:} file system
 * sets them, not by a forked {@code chmod} per file.
 */
public final class HdfsLikeFileSystem extends ForklessLocalFileSystem.JavaPermissions {
  public static final String SCHEME = "hdfslike";

  /** Replacements made by the one-step rename with overwrite. */
  public static final AtomicInteger OVERWRITES = new AtomicInteger();

  /** Targets deleted through this file system (a delete-then-rename replacement would count). */
  public static final AtomicInteger DELETES = new AtomicInteger();

  /** A configuration that maps {@value #SCHEME}: to this file system, uncached. */
  public static Configuration configure(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", HdfsLikeFileSystem.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
    conf.set("fs.AbstractFileSystem." + SCHEME + ".impl", Afs.class.getName());
    return conf;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    if (exists(dst)) {
      return false;
    }
    return super.rename(src, dst);
  }

  @Override
  public boolean delete(Path p, boolean recursive) throws IOException {
    if (!p.getName().startsWith(OutputRoot.TEMP_PREFIX) && exists(p)) {
      DELETES.incrementAndGet();
    }
    return super.delete(p, recursive);
  }

  /** The {@link org.apache.hadoop.fs.AbstractFileSystem} half, what FileContext uses. */
  public static final class Afs extends DelegateToFileSystem {
    public Afs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new HdfsLikeFileSystem(), conf, SCHEME, false);
    }

    @Override
    public void renameInternal(Path src, Path dst, boolean overwrite) throws IOException {
      HdfsLikeFileSystem fs = (HdfsLikeFileSystem) fsImpl;
      if (!overwrite && fs.exists(dst)) {
        throw new FileAlreadyExistsException(dst.toString());
      }
      // rename(2): the target is replaced in one step, as on HDFS's name node
      Files.move(
          fs.pathToFile(src).toPath(), fs.pathToFile(dst).toPath(), StandardCopyOption.ATOMIC_MOVE);
      OVERWRITES.incrementAndGet();
    }
  }
}
