package org.bratscv.jobs.io;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop {@link Configuration} that travels to executors inside a task closure, so tasks reach
 * the same file systems (credentials, s3a endpoints) as the driver. The configuration is rebuilt
 * once per deserialised copy.
 */
public final class HadoopConf implements Serializable {
  private static final long serialVersionUID = 1L;

  private final byte[] bytes;
  private transient Configuration conf;

  private static final String SPARK_HADOOP = "spark.hadoop.";

  /**
   * The Hadoop configuration of a driver before (or without) its Spark session, as the session
   * would make it: Hadoop's defaults and site files, then every {@code spark.hadoop.*} setting
   * spark-submit passed (as system properties), then those of {@code sparkSettings} (a run
   * configuration's {@code spark} section) where neither set the key. Used to read configuration
   * files and to check roots before any Spark work.
   */
  public static Configuration forDriver(java.util.Map<String, String> sparkSettings) {
    Configuration c = new Configuration();
    java.util.Set<String> fromSubmit = new java.util.HashSet<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith(SPARK_HADOOP)) {
        c.set(name.substring(SPARK_HADOOP.length()), System.getProperty(name));
        fromSubmit.add(name);
      }
    }
    for (java.util.Map.Entry<String, String> e : sparkSettings.entrySet()) {
      if (e.getKey().startsWith(SPARK_HADOOP) && !fromSubmit.contains(e.getKey())) {
        c.set(e.getKey().substring(SPARK_HADOOP.length()), e.getValue());
      }
    }
    ForklessLocalFileSystem.register(c);
    return c;
  }

  public HadoopConf(Configuration conf) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      conf.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.bytes = out.toByteArray();
    this.conf = conf;
  }

  /** The configuration (a private copy per executor-side instance). */
  public synchronized Configuration get() {
    if (conf == null) {
      Configuration c = new Configuration(false);
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        c.readFields(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      conf = c;
    }
    return conf;
  }
}
