package org.bratscv.model.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Decides whether oneDNN must be capped to AVX2 on this CPU. libtorch 2.7.1's oneDNN float32 conv3d
 * gives wrong results, often NaN, with its AVX-512 kernels for channel counts that are not a
 * multiple of 16 ({@link OneDnnSelfTest} lists the shapes). The cap ({@code
 * ONEDNN_MAX_CPU_ISA=AVX2}) must be in the process environment before libtorch loads, so a JVM
 * cannot set it for itself: the {@code brats-cv} launcher decides before it relaunches.
 *
 * <p>The decision: no cap on CPUs without AVX-512; on AVX-512 CPUs the verdict of {@link
 * OneDnnSelfTest} run once in a child JVM without the cap, cached per machine (CPU model, flags,
 * libtorch location and version); a failed or unrunnable self-test means the cap (conservative for
 * CPUs nobody checked). A JVM that runs uncapped on AVX-512 (started some other way) checks the
 * kernels in process when the engine starts ({@link TorchEngine#start}).
 */
public final class CpuIsaGuard {
  /** oneDNN's switch; {@code DNNL_MAX_CPU_ISA} is its older name and is honoured too. */
  public static final String ENV = "ONEDNN_MAX_CPU_ISA";

  public static final String LEGACY_ENV = "DNNL_MAX_CPU_ISA";

  /** The cap: no AVX-512 kernels. */
  public static final String SAFE_VALUE = "AVX2";

  /** The verdicts written to the per-machine cache file. */
  static final String CAP = "cap";

  static final String NO_CAP = "no-cap";

  private static final Pattern WS = Pattern.compile("\\s+");

  private CpuIsaGuard() {}

  /**
   * The ISA {@code env} caps oneDNN to, trimmed and upper-cased ({@value #ENV} first, then {@value
   * #LEGACY_ENV}), or empty when neither is set.
   */
  public static Optional<String> cap(Map<String, String> env) {
    String v = notBlank(env.get(ENV)) ? env.get(ENV) : env.get(LEGACY_ENV);
    return notBlank(v) ? Optional.of(v.trim().toUpperCase(Locale.ROOT)) : Optional.empty();
  }

  /** True when {@code env} already caps oneDNN (to any ISA the user chose). */
  public static boolean isCapped(Map<String, String> env) {
    return cap(env).isPresent();
  }

  /** True when the CPU flags include AVX-512. */
  public static boolean hasAvx512(Set<String> cpuFlags) {
    return cpuFlags.stream().anyMatch(f -> f.startsWith("avx512"));
  }

  /** True when a JVM with {@code env} on this CPU may run AVX-512 kernels it has not checked. */
  public static boolean mustVerify(Map<String, String> env, Set<String> cpuFlags) {
    return hasAvx512(cpuFlags) && !isCapped(env);
  }

  /**
   * Whether a launcher should add the cap for a child JVM: never when {@code env} already sets one
   * or the CPU has no AVX-512; else the cached verdict, or the self-test's (stored in the cache).
   * {@code selfTestPasses} runs the uncapped probe and is called at most once.
   */
  public static boolean needsCap(
      Map<String, String> env,
      Set<String> cpuFlags,
      Path cacheFile,
      BooleanSupplier selfTestPasses) {
    if (isCapped(env) || !hasAvx512(cpuFlags)) {
      return false;
    }
    Optional<String> cached = readVerdict(cacheFile);
    if (cached.isPresent()) {
      return !cached.get().equals(NO_CAP);
    }
    boolean passes;
    try {
      passes = selfTestPasses.getAsBoolean();
    } catch (RuntimeException e) {
      passes = false;
    }
    writeVerdict(cacheFile, passes ? NO_CAP : CAP);
    return !passes;
  }

  /**
   * The per-machine cache file under {@code dir}: named by a hash of the CPU model and flags and of
   * the libtorch in use ({@code PYTORCH_LIBRARY_PATH}/{@code PYTORCH_VERSION}, else the bundled one
   * of this brats-cv version) and of the self-test's probes, so another CPU, libtorch or probe set
   * tests again.
   */
  public static Path cacheFile(
      Path dir, String cpuModel, Set<String> cpuFlags, Map<String, String> env, String version) {
    String key =
        String.join(
            "\n",
            cpuModel,
            String.join(" ", new TreeSet<>(cpuFlags)),
            String.valueOf(env.get("PYTORCH_LIBRARY_PATH")),
            String.valueOf(env.get("PYTORCH_VERSION")),
            String.valueOf(version),
            "probes " + OneDnnSelfTest.PROBES);
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return dir.resolve("onednn-isa-" + HexFormat.of().formatHex(h, 0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code $XDG_CACHE_HOME/brats-cv}, else {@code ~/.cache/brats-cv}. */
  public static Path cacheDir(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    Path base = notBlank(xdg) ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("brats-cv");
  }

  static Optional<String> readVerdict(Path file) {
    try {
      String v = Files.readString(file).trim();
      return v.equals(CAP) || v.equals(NO_CAP) ? Optional.of(v) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Best effort: an unwritable cache only means the self-test runs again next time. */
  static void writeVerdict(Path file, String verdict) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, verdict + "\n");
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      // keep going without a cache
    }
  }

  /** The error for a JVM whose uncapped AVX-512 kernels failed {@link OneDnnSelfTest}. */
  public static String wrongKernelMessage(String detail) {
    return "libtorch's oneDNN AVX-512 kernels are wrong on this CPU ("
        + detail
        + "). Start the JVM with "
        + ENV
        + "="
        + SAFE_VALUE
        + " in its environment (the brats-cv launcher does this itself; on Spark add --conf"
        + " spark.executorEnv."
        + ENV
        + "="
        + SAFE_VALUE
        + ")";
  }

  /** The CPU feature flags of this machine (Linux {@code /proc/cpuinfo}; empty elsewhere). */
  public static Set<String> cpuFlags() {
    return cpuFlags(Path.of("/proc/cpuinfo"));
  }

  static Set<String> cpuFlags(Path cpuinfo) {
    return cpuinfoField(cpuinfo, "flags")
        .map(s -> WS.splitAsStream(s).collect(Collectors.toUnmodifiableSet()))
        .orElse(Set.of());
  }

  /** The CPU's model name ({@code /proc/cpuinfo}; "unknown" elsewhere). */
  public static String cpuModel() {
    return cpuinfoField(Path.of("/proc/cpuinfo"), "model name").orElse("unknown");
  }

  private static Optional<String> cpuinfoField(Path cpuinfo, String name) {
    if (!Files.isReadable(cpuinfo)) {
      return Optional.empty();
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines
          .filter(l -> l.startsWith(name) && l.indexOf(':') > 0)
          .filter(l -> l.substring(0, l.indexOf(':')).trim().equals(name))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim());
    } catch (IOException | java.io.UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }
}
