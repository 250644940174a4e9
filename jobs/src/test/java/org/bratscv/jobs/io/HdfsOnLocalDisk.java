package org.bratscv.jobs.io;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Hadoop settings under which {@code hdfs:///...} and {@code s3a://bucket/...} paths are folders on
 * the local disk, through Hadoop's own view file system ({@code ViewFileSystemOverloadScheme}: the
 * scheme keeps its name, a mount table sends its paths elsewhere). Everything that reads or writes
 * through the Hadoop FileSystem API then works on them as on a cluster; a test can pass the same
 * settings to a child JVM as {@code -Dspark.hadoop.*}, as spark-submit would. Not a stand-in for
 * HDFS's own semantics (those need a MiniDFSCluster).
 */
public final class HdfsOnLocalDisk {
  private HdfsOnLocalDisk() {}

  /**
   * The settings: {@code hdfs:///x} is {@code <root>/hdfs/x}, {@code s3a://<bucket>/x} is {@code
   * <root>/s3a/<bucket>/x}.
   */
  public static Map<String, String> settings(Path root, String... buckets) {
    Map<String, String> s = new LinkedHashMap<>();
    String view = "org.apache.hadoop.fs.viewfs.ViewFileSystemOverloadScheme";
    s.put("fs.hdfs.impl", view);
    s.put("fs.hdfs.impl.disable.cache", "true");
    // hdfs:/// has no authority: its mount table is the default one
    s.put("fs.viewfs.mounttable.default.linkFallback", "file://" + root.resolve("hdfs"));
    s.put("fs.s3a.impl", view);
    s.put("fs.s3a.impl.disable.cache", "true");
    for (String b : buckets) {
      s.put("fs.viewfs.mounttable." + b + ".linkFallback", "file://" + root.resolve("s3a/" + b));
    }
    return s;
  }

  public static Configuration configuration(Path root, String... buckets) {
    Configuration c = new Configuration();
    settings(root, buckets).forEach(c::set);
    return c;
  }
}
