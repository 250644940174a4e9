package org.bratscv.model.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Detects the one CPU setting that silently breaks training: libtorch's oneDNN float32 conv3d on
 * AVX-512 CPUs intermittently returns all-NaN output unless {@code ONEDNN_MAX_CPU_ISA=AVX2} is in
 * the process environment before libtorch loads (see the package javadoc for how each launcher sets
 * it). A JVM cannot change its own environment, so this class only diagnoses.
 */
public final class CpuIsaGuard {
  /** oneDNN's switch; {@code DNNL_MAX_CPU_ISA} is its older name and is honoured too. */
  public static final String ENV = "ONEDNN_MAX_CPU_ISA";

  public static final String LEGACY_ENV = "DNNL_MAX_CPU_ISA";

  /** The value the project uses: no AVX-512 kernels, no measurable slowdown for conv3d here. */
  public static final String SAFE_VALUE = "AVX2";

  private static final Pattern WS = Pattern.compile("\\s+");

  private CpuIsaGuard() {}

  /** True when {@code env} already caps oneDNN (to any ISA the user chose). */
  public static boolean isCapped(Map<String, String> env) {
    return notBlank(env.get(ENV)) || notBlank(env.get(LEGACY_ENV));
  }

  /**
   * The warning to log for a CPU run, or empty when there is nothing to fear: the CPU has no
   * AVX-512, or oneDNN is already capped.
   */
  public static Optional<String> warning(Map<String, String> env, Set<String> cpuFlags) {
    boolean avx512 = cpuFlags.stream().anyMatch(f -> f.startsWith("avx512"));
    if (!avx512 || isCapped(env)) {
      return Optional.empty();
    }
    return Optional.of(
        "this CPU has AVX-512 and "
            + ENV
            + " is not set: libtorch's oneDNN float32 conv3d can return all-NaN outputs here."
            + " Start the JVM with "
            + ENV
            + "="
            + SAFE_VALUE
            + " in its environment (the brats-cv launcher does this itself; on Spark add --conf"
            + " spark.executorEnv."
            + ENV
            + "="
            + SAFE_VALUE
            + ")");
  }

  /** The CPU feature flags of this machine (Linux {@code /proc/cpuinfo}; empty elsewhere). */
  public static Set<String> cpuFlags() {
    return cpuFlags(Path.of("/proc/cpuinfo"));
  }

  static Set<String> cpuFlags(Path cpuinfo) {
    if (!Files.isReadable(cpuinfo)) {
      return Set.of();
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines
          .filter(l -> l.startsWith("flags"))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .map(s -> WS.splitAsStream(s).collect(Collectors.toUnmodifiableSet()))
          .orElse(Set.of());
    } catch (IOException | java.io.UncheckedIOException e) {
      return Set.of();
    }
  }

  /** True when this machine's CPU has AVX-512 and the current process has no oneDNN cap. */
  public static boolean needsCap() {
    return warning(System.getenv(), cpuFlags()).isPresent();
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }
}
