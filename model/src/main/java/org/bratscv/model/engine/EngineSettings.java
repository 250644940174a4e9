package org.bratscv.model.engine;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How the PyTorch engine of one JVM is started: where DJL unpacks libtorch, and how many threads
 * libtorch uses inside one op (intra-op) and across ops (inter-op). A thread count of 0 keeps
 * libtorch's default. With several Spark tasks per JVM give each engine 1 intra-op thread, or the
 * tasks oversubscribe the cores.
 *
 * @param cacheDir DJL's cache folder (libtorch is extracted there once, about 430 MB); empty keeps
 *     DJL's own default ({@code ~/.djl.ai})
 * @param intraOpThreads threads inside one op, 0 for libtorch's default
 * @param interOpThreads threads across independent ops, 0 for libtorch's default
 */
public record EngineSettings(Optional<Path> cacheDir, int intraOpThreads, int interOpThreads) {
  /** Environment variable or system property naming DJL's cache folder. */
  public static final String CACHE_DIR_KEY = "DJL_CACHE_DIR";

  public EngineSettings {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be >= 0 (0 = libtorch default), got intra-op "
              + intraOpThreads
              + ", inter-op "
              + interOpThreads);
    }
  }

  /** libtorch's own thread defaults and the cache folder from the environment, if any. */
  public static EngineSettings defaults() {
    return fromEnvironment(System.getenv());
  }

  /** The cache folder from {@code DJL_CACHE_DIR} (system property first, then env). */
  public static EngineSettings fromEnvironment(Map<String, String> env) {
    String dir = System.getProperty(CACHE_DIR_KEY, env.get(CACHE_DIR_KEY));
    Optional<Path> cache =
        dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    return new EngineSettings(cache, 0, 0);
  }

  /**
   * A CPU speed-up that is on unless the environment variable {@code env} is {@code 0} or the
   * system property {@code property} is {@code false} (the A/B switch of a benchmark).
   */
  public static boolean switchedOn(String env, String property) {
    return onUnlessOff(System.getenv(env), System.getProperty(property));
  }

  /**
   * {@link #switchedOn(String, String)} of the variable's and the property's values (null: unset).
   */
  static boolean onUnlessOff(String envValue, String propertyValue) {
    return !"0".equals(envValue) && !"false".equalsIgnoreCase(propertyValue);
  }

  public EngineSettings withThreads(int intraOp, int interOp) {
    return new EngineSettings(cacheDir, intraOp, interOp);
  }

  public EngineSettings withCacheDir(Path dir) {
    return new EngineSettings(Optional.of(dir), intraOpThreads, interOpThreads);
  }
}
