package org.bratscv.jobs.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.bratscv.jobs.io.ForklessLocalFileSystem;
import org.bratscv.model.engine.EngineEnvironment;

/**
 * Creates the Spark session for a brats-cv command. Under spark-submit the master and settings come
 * from the submit; run with plain {@code java -jar} it falls back to {@code local[*]} on the
 * loopback interface. Settings from the run configuration are applied only where the submit did not
 * set them.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** The session for {@code appName} with {@code defaults} applied where unset. */
  public static SparkSession getOrCreate(String appName, Map<String, String> defaults) {
    SparkConf conf = new SparkConf();
    for (Map.Entry<String, String> e : defaults.entrySet()) {
      conf.setIfMissing(e.getKey(), e.getValue());
    }
    conf.setIfMissing("spark.master", "local[*]");
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    for (Map.Entry<String, String> e : executorEnvironment(hasTcmalloc()).entrySet()) {
      conf.setIfMissing(e.getKey(), e.getValue());
    }
    conf.setIfMissing("spark.sql.shuffle.partitions", "8");
    // file: without a forked chmod per file written (ForklessLocalFileSystem)
    conf.setIfMissing(
        "spark.hadoop." + ForklessLocalFileSystem.KEY, ForklessLocalFileSystem.class.getName());
    conf.setAppName(appName);
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /**
   * {@code spark.executorEnv.*} for libtorch ({@link EngineEnvironment#forExecutors}): tcmalloc
   * when {@code preload} (this machine has it: clusters are assumed alike, and a missing library
   * only costs a loader warning), glibc's tunables, and the oneDNN cap, kept for executors because
   * they cannot run the self-test before their JVM starts (an uncapped executor checks its kernels
   * when the engine starts and stops if they are wrong).
   */
  static Map<String, String> executorEnvironment(boolean preload) {
    Map<String, String> conf = new LinkedHashMap<>();
    EngineEnvironment.forExecutors(preload, true)
        .forEach((k, v) -> conf.put("spark.executorEnv." + k, v));
    return conf;
  }

  private static boolean hasTcmalloc() {
    return EngineEnvironment.tcmallocInstalled();
  }
}
