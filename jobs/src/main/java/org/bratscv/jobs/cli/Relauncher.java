package org.bratscv.jobs.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.bratscv.model.engine.CpuIsaGuard;
import org.bratscv.model.engine.EngineEnvironment;

/**
 * Re-executes the {@code brats-cv} JVM once with the environment libtorch needs ({@link
 * EngineEnvironment}): tcmalloc preloaded (else glibc's malloc tunables) and, on AVX-512 CPUs whose
 * oneDNN kernels fail {@link org.bratscv.model.engine.OneDnnSelfTest}, {@code
 * ONEDNN_MAX_CPU_ISA=AVX2}. A JVM cannot change its own environment before libtorch and the C
 * library read it.
 *
 * <p>Only a JVM that was started as {@code java -jar brats-cv.jar ...} or {@code java -cp ...
 * org.bratscv.jobs.cli.BratsCv ...} is relaunched, with the same java binary, JVM options, class
 * path or jar, and arguments; the marker variable {@value #MARKER} prevents loops. Under {@code
 * spark-submit} nothing is relaunched (its driver settings live in the launching process): there
 * the deploy scripts export the variables and executors get {@code spark.executorEnv.*}. The child
 * gets a heap sized for its work ({@link LocalHeap}) unless the options already set one; a command
 * that holds whole cases without loading the engine ({@code preprocess}, {@code evaluate}, {@code
 * bench preprocess}) is relaunched for that alone when no heap size was given.
 */
public final class Relauncher {
  /** Set in the child's environment; its presence means "already relaunched". */
  public static final String MARKER = "BRATS_CV_RELAUNCHED";

  /** Top-level commands that load the PyTorch engine. */
  static final Set<String> ENGINE_COMMANDS =
      Set.of("model", "train", "infer", "cv", "sweep", "segment", "demo");

  /** {@code bench} subcommands that load the PyTorch engine. */
  static final Set<String> ENGINE_BENCHMARKS = Set.of("model", "infer");

  private Relauncher() {}

  /**
   * Top-level commands that work on whole cases in this JVM without loading the engine: relaunched
   * only to size the heap ({@link LocalHeap}).
   */
  static final Set<String> CASE_COMMANDS = Set.of("preprocess", "evaluate");

  /** {@code bench} subcommands that work on whole cases without loading the engine. */
  static final Set<String> CASE_BENCHMARKS = Set.of("preprocess");

  /** True when {@code args} name a command that loads libtorch. */
  static boolean loadsEngine(String[] args) {
    List<String> words = commandWords(args);
    return isCommand(words, ENGINE_COMMANDS, ENGINE_BENCHMARKS);
  }

  /**
   * True when {@code args} name a command that loads libtorch or otherwise holds whole cases in
   * memory: such a JVM is relaunched with a heap sized for its work when none was given.
   */
  static boolean worksOnCases(String[] args) {
    List<String> words = commandWords(args);
    return isCommand(words, ENGINE_COMMANDS, ENGINE_BENCHMARKS)
        || isCommand(words, CASE_COMMANDS, CASE_BENCHMARKS);
  }

  /** The words of {@code args} that are not options; empty for a help or version request. */
  private static List<String> commandWords(String[] args) {
    List<String> words = new ArrayList<>();
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return List.of();
      }
      if (!a.startsWith("-")) {
        words.add(a);
      }
    }
    return words;
  }

  private static boolean isCommand(List<String> words, Set<String> commands, Set<String> benches) {
    if (words.isEmpty()) {
      return false;
    }
    String first = words.get(0);
    return commands.contains(first)
        || (first.equals("bench") && words.size() > 1 && benches.contains(words.get(1)));
  }

  /**
   * Whether to relaunch: when the child needs variables this JVM lacks ({@code add}), or when a
   * command that works on cases runs without a heap size of the user's. Never twice.
   */
  static boolean relaunches(
      Map<String, String> env, Map<String, String> add, List<String> jvmOptions, String[] args) {
    if (env.containsKey(MARKER)) {
      return false;
    }
    return !add.isEmpty() || (worksOnCases(args) && !LocalHeap.heapGiven(jvmOptions));
  }

  /**
   * The variables the child gets, from this run's environment and arguments; empty means no
   * relaunch. {@code capIsa} answers whether oneDNN needs the cap (it may run the self-test, so it
   * is asked only for commands that load the engine).
   */
  static Map<String, String> childEnvironment(
      Map<String, String> env, String[] args, BooleanSupplier capIsa, Predicate<Path> exists) {
    if (env.containsKey(MARKER) || !loadsEngine(args)) {
      return Map.of();
    }
    return EngineEnvironment.missing(env, capIsa.getAsBoolean(), exists);
  }

  /**
   * The child's command line: {@code java <jvm options> -jar <jar> <args>} when started from a jar,
   * else {@code java <jvm options> -cp <class path> <main> <args>}; empty when this JVM was started
   * some other way (e.g. by spark-submit).
   */
  static Optional<List<String>> childCommand(
      String java,
      List<String> jvmOptions,
      String javaCommand,
      String classPath,
      String mainClass,
      String[] args) {
    if (java == null || javaCommand == null || javaCommand.isBlank()) {
      return Optional.empty();
    }
    String launched = javaCommand.trim().split("\\s+")[0];
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmOptions);
    if (launched.endsWith(".jar")) {
      cmd.add("-jar");
      cmd.add(launched);
    } else if (launched.equals(mainClass)) {
      cmd.add("-cp");
      cmd.add(classPath);
      cmd.add(mainClass);
    } else {
      return Optional.empty();
    }
    cmd.addAll(List.of(args));
    return Optional.of(cmd);
  }

  /**
   * Relaunches when needed and returns the child's exit code; empty means "carry on in this JVM"
   * (no relaunch needed, or not possible: then the engine logs the NaN warning itself).
   */
  public static OptionalInt relaunchIfNeeded(String[] args, Class<?> mainClass) {
    Map<String, String> env = System.getenv();
    String java = ProcessHandle.current().info().command().orElse(null);
    String classPath = System.getProperty("java.class.path", "");
    List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
    Optional<List<String>> cmd =
        childCommand(
            java,
            LocalHeap.withHeap(
                jvmOptions,
                args,
                Runtime.getRuntime().availableProcessors(),
                physicalMemoryBytes()),
            System.getProperty("sun.java.command"),
            classPath,
            mainClass.getName(),
            args);
    if (cmd.isEmpty()) {
      return OptionalInt.empty();
    }
    Set<String> flags = CpuIsaGuard.cpuFlags();
    BooleanSupplier capIsa =
        () ->
            CpuIsaGuard.needsCap(
                env,
                flags,
                CpuIsaGuard.cacheFile(
                    CpuIsaGuard.cacheDir(env),
                    CpuIsaGuard.cpuModel(),
                    flags,
                    env,
                    Relauncher.class.getPackage().getImplementationVersion()),
                () -> selfTestPasses(java, classPath, env));
    Map<String, String> add = childEnvironment(env, args, capIsa, Files::isReadable);
    if (!relaunches(env, add, jvmOptions, args)) {
      return OptionalInt.empty();
    }
    ProcessBuilder pb = new ProcessBuilder(cmd.get()).inheritIO();
    pb.environment().putAll(add);
    pb.environment().put(MARKER, "1");
    try {
      Process child = pb.start();
      // Forward Ctrl-C / kill to the child so it never outlives this launcher.
      Thread hook = new Thread(child::destroy, "brats-cv-relaunch-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      int rc = child.waitFor();
      Runtime.getRuntime().removeShutdownHook(hook);
      return OptionalInt.of(rc);
    } catch (java.io.IOException e) {
      System.err.println(
          "brats-cv: could not relaunch with "
              + add
              + " and a sized heap ("
              + e.getMessage()
              + "); continuing without, set them yourself");
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.of(130);
    }
  }

  private static long physicalMemoryBytes() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  /**
   * Runs {@link org.bratscv.model.engine.OneDnnSelfTest} in a JVM without the oneDNN cap (with the
   * allocator the child will have) and says whether its kernels were right.
   */
  static boolean selfTestPasses(String java, String classPath, Map<String, String> env) {
    System.err.println(
        "brats-cv: checking libtorch's AVX-512 conv3d kernels on this CPU (once per machine)");
    List<String> cmd = List.of(java, "-cp", classPath, "org.bratscv.model.engine.OneDnnSelfTest");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(EngineEnvironment.missing(env, false, Files::isReadable));
    pb.environment().put(MARKER, "1");
    try {
      Process p = pb.start();
      if (!p.waitFor(SELF_TEST_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static final long SELF_TEST_SECONDS = 180;
}
