package org.bratscv.jobs.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.bratscv.model.engine.CpuIsaGuard;

/**
 * Re-executes the {@code brats-cv} JVM once with {@code ONEDNN_MAX_CPU_ISA=AVX2} when a command
 * that loads libtorch runs on an AVX-512 CPU without it (libtorch's oneDNN conv3d returns NaN there
 * otherwise, and a JVM cannot change its own environment before libtorch reads it).
 *
 * <p>Only a JVM that was started as {@code java -jar brats-cv.jar ...} or {@code java -cp ...
 * org.bratscv.jobs.cli.BratsCv ...} is relaunched, with the same java binary, JVM options, class
 * path or jar, and arguments; the marker variable {@value #MARKER} prevents loops. Under {@code
 * spark-submit} nothing is relaunched (its driver settings live in the launching process): there
 * the deploy scripts export the variable and executors get {@code spark.executorEnv.*}. The child
 * gets a heap sized for its work ({@link LocalHeap}) unless the options already set one.
 */
public final class Relauncher {
  /** Set in the child's environment; its presence means "already relaunched". */
  public static final String MARKER = "BRATS_CV_RELAUNCHED";

  /** Top-level commands that load the PyTorch engine. */
  static final Set<String> ENGINE_COMMANDS =
      Set.of("model", "train", "infer", "cv", "sweep", "segment", "demo");

  private Relauncher() {}

  /** True when {@code args} name a command that loads libtorch. */
  static boolean loadsEngine(String[] args) {
    List<String> words = new ArrayList<>();
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return false;
      }
      if (!a.startsWith("-")) {
        words.add(a);
      }
    }
    if (words.isEmpty()) {
      return false;
    }
    String first = words.get(0);
    return ENGINE_COMMANDS.contains(first)
        || (first.equals("bench") && words.size() > 1 && words.get(1).equals("model"));
  }

  /** Whether this run must be relaunched, from its environment, CPU flags and arguments. */
  static boolean shouldRelaunch(Map<String, String> env, Set<String> cpuFlags, String[] args) {
    return !env.containsKey(MARKER)
        && loadsEngine(args)
        && CpuIsaGuard.warning(env, cpuFlags).isPresent();
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
    if (!shouldRelaunch(env, CpuIsaGuard.cpuFlags(), args)) {
      return OptionalInt.empty();
    }
    Optional<List<String>> cmd =
        childCommand(
            ProcessHandle.current().info().command().orElse(null),
            LocalHeap.withMaxHeap(
                ManagementFactory.getRuntimeMXBean().getInputArguments(),
                args,
                Runtime.getRuntime().availableProcessors(),
                physicalMemoryBytes()),
            System.getProperty("sun.java.command"),
            System.getProperty("java.class.path", ""),
            mainClass.getName(),
            args);
    if (cmd.isEmpty()) {
      return OptionalInt.empty();
    }
    ProcessBuilder pb = new ProcessBuilder(cmd.get()).inheritIO();
    pb.environment().put(CpuIsaGuard.ENV, CpuIsaGuard.SAFE_VALUE);
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
              + CpuIsaGuard.ENV
              + "="
              + CpuIsaGuard.SAFE_VALUE
              + " ("
              + e.getMessage()
              + "); continuing without it, set it yourself: export "
              + CpuIsaGuard.ENV
              + "="
              + CpuIsaGuard.SAFE_VALUE);
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
}
