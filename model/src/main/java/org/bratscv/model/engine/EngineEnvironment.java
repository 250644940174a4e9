package org.bratscv.model.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The environment variables a JVM that runs libtorch needs before it starts: the memory allocator
 * and oneDNN's instruction-set cap. The one home of these values: the {@code brats-cv} launcher's
 * relaunch, Spark's {@code spark.executorEnv.*}, the deploy scripts and the image all take them
 * from here or repeat them (tests compare).
 *
 * <p><b>Allocator.</b> libtorch allocates every activation with {@code malloc}; under glibc's
 * defaults each tensor above the mmap threshold is a fresh {@code mmap} that page-faults in and is
 * unmapped on free, so a training step spends as much time in the kernel as in convolutions.
 * tcmalloc ({@code libtcmalloc_minimal.so.4}, gperftools) keeps freed spans for reuse and hands
 * idle memory back gradually: with it preloaded a w8 64^3 training step took a third of the time
 * with a lower peak RSS (README, Benchmarks). Where tcmalloc is absent, glibc's tunables are the
 * fallback: few arenas (each arena keeps its own free memory, which is what made raised thresholds
 * cost gigabytes) and the largest mmap threshold glibc allows (32 MiB on 64-bit).
 */
public final class EngineEnvironment {
  /** {@code auto} (default): tcmalloc when installed, else glibc tunables; or one of those. */
  public static final String ALLOCATOR_ENV = "BRATS_CV_ALLOCATOR";

  public static final String LD_PRELOAD = "LD_PRELOAD";
  public static final String GLIBC_TUNABLES = "GLIBC_TUNABLES";

  /** gperftools' tcmalloc without the heap profiler (Debian/Ubuntu libtcmalloc-minimal4). */
  public static final String TCMALLOC_LIBRARY = "libtcmalloc_minimal.so.4";

  /**
   * The preload path for machines the launcher cannot look at (Spark executors, images): the
   * dynamic loader expands {@code $LIB} to the distribution's library folder ({@code
   * lib/x86_64-linux-gnu} on Debian/Ubuntu, {@code lib64} on RHEL); a missing file costs one {@code
   * ld.so} warning line and the glibc tunables take over.
   */
  public static final String PORTABLE_TCMALLOC = "/usr/$LIB/" + TCMALLOC_LIBRARY;

  /**
   * glibc's fallback: one arena (so the retained free memory below exists once, not per thread),
   * allocations up to 32 MiB from the heap instead of fresh mappings, free memory above 1 GiB at
   * the heap top given back, the heap grown 64 MiB at a time.
   */
  public static final String GLIBC_VALUE =
      "glibc.malloc.arena_max=1"
          + ":glibc.malloc.mmap_threshold=33554432"
          + ":glibc.malloc.trim_threshold=1073741824"
          + ":glibc.malloc.top_pad=67108864";

  /** Folders searched for {@link #TCMALLOC_LIBRARY}, in order. */
  static final List<String> LIBRARY_DIRS =
      List.of(
          "/usr/lib/x86_64-linux-gnu",
          "/usr/lib/aarch64-linux-gnu",
          "/usr/lib64",
          "/usr/lib",
          "/usr/local/lib");

  /** The allocator choices of {@link #ALLOCATOR_ENV}. */
  public enum Allocator {
    AUTO,
    TCMALLOC,
    GLIBC;

    static Allocator parse(String text) {
      if (text == null || text.isBlank()) {
        return AUTO;
      }
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            ALLOCATOR_ENV + " must be auto, tcmalloc or glibc, got '" + text + "'");
      }
    }
  }

  private EngineEnvironment() {}

  /**
   * The variables to add to {@code env} for a JVM on this machine that runs libtorch: the allocator
   * (unless {@code env} already preloads a library or sets glibc tunables: the user's choice wins)
   * and the oneDNN cap when {@code capIsa}. Empty when nothing is missing.
   *
   * @param libraryExists whether a file exists (tests pass their own)
   */
  public static Map<String, String> missing(
      Map<String, String> env, boolean capIsa, Predicate<Path> libraryExists) {
    Map<String, String> add = new LinkedHashMap<>();
    if (!notBlank(env.get(LD_PRELOAD)) && !notBlank(env.get(GLIBC_TUNABLES))) {
      Allocator choice = Allocator.parse(env.get(ALLOCATOR_ENV));
      Optional<Path> tcmalloc =
          choice == Allocator.GLIBC ? Optional.empty() : tcmalloc(libraryExists);
      if (tcmalloc.isPresent()) {
        add.put(LD_PRELOAD, tcmalloc.get().toString());
      } else {
        add.put(GLIBC_TUNABLES, GLIBC_VALUE);
      }
    }
    if (capIsa && !CpuIsaGuard.isCapped(env)) {
      add.put(CpuIsaGuard.ENV, CpuIsaGuard.SAFE_VALUE);
    }
    return add;
  }

  /** {@link #missing} for this process on this machine. */
  public static Map<String, String> missing(boolean capIsa) {
    return missing(System.getenv(), capIsa, Files::isReadable);
  }

  /**
   * What executors on other machines get ({@code spark.executorEnv.*}): tcmalloc by its portable
   * path when {@code preload} (else none), glibc's tunables always (ignored by glibc when tcmalloc
   * replaces malloc, in force when it could not be loaded), and the oneDNN cap when {@code capIsa}.
   */
  public static Map<String, String> forExecutors(boolean preload, boolean capIsa) {
    Map<String, String> env = new LinkedHashMap<>();
    if (preload) {
      env.put(LD_PRELOAD, PORTABLE_TCMALLOC);
    }
    env.put(GLIBC_TUNABLES, GLIBC_VALUE);
    if (capIsa) {
      env.put(CpuIsaGuard.ENV, CpuIsaGuard.SAFE_VALUE);
    }
    return env;
  }

  /** The first {@link #TCMALLOC_LIBRARY} in {@link #LIBRARY_DIRS} that exists. */
  static Optional<Path> tcmalloc(Predicate<Path> exists) {
    return LIBRARY_DIRS.stream().map(d -> Path.of(d, TCMALLOC_LIBRARY)).filter(exists).findFirst();
  }

  /** True when this machine has {@link #TCMALLOC_LIBRARY} in one of {@link #LIBRARY_DIRS}. */
  public static boolean tcmallocInstalled() {
    return tcmalloc(Files::isReadable).isPresent();
  }

  /** True when {@code env} preloads tcmalloc (any path ending in its library name). */
  public static boolean preloadsTcmalloc(Map<String, String> env) {
    String p = env.get(LD_PRELOAD);
    return p != null && p.contains("libtcmalloc");
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }
}
