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
