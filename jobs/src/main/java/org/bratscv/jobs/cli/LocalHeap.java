package org.bratscv.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import org.bratscv.data.volume.Dims;

/**
 * The maximum Java heap of a relaunched {@code brats-cv} JVM, derived from the work it runs instead
 * of the JVM's default of a quarter of the machine's memory (which G1 grows into under allocation
 * churn although the live data is small: in local mode the tensors live outside the heap, in
 * libtorch).
 *
 * <p>The heap holds the Spark driver and the local executor (a fixed {@value #BASE_MIB} MiB) and,
 * per concurrently running task, the Java copies of one case: {@value #CASE_COPIES} four-channel
 * float volumes at the case's size (the read modalities, the two pipelines' normalised crops, the
 * probability maps of the pipelines and of the merge, and the labelmaps). The case size is the
 * demo's {@code --size}, else a raw BraTS case (240x240x155). Tasks are the CPUs (local mode runs
 * at most one task per core). Never above the JVM's own default, and a heap size given on the
 * command line ({@code -Xmx}, {@code -Xms}, {@code -XX:MaxHeapSize}, {@code -XX:InitialHeapSize},
 * {@code -XX:MaxRAMPercentage}, {@code -XX:MaxRAM}) wins: then nothing is added.
 *
 * <p>The heap is fixed ({@code -Xms} = {@code -Xmx}). Cases are arrays of tens of MB, humongous
 * objects to G1, which starts a concurrent marking cycle whenever they pass 45 % of the heap's
 * current size; a heap that G1 shrinks between bursts of cases sets that mark low and re-faults the
 * pages it gives back. In {@code bench preprocess --repeat 3} (12 cases of 240x240x155) a fixed
 * heap took G1 from 28 concurrent cycles and 165 pauses (1.41 s) to 4 and 50 (0.85 s). Resident
 * memory still grows only as the heap is used (no pre-touch).
 */
final class LocalHeap {
  static final long MIB = 1L << 20;

  /** Spark driver, the local executor's bookkeeping, picocli, Hadoop and the report. */
  static final long BASE_MIB = 512;

  /** Four-channel float volumes of one case held by one running task. */
  static final int CASE_COPIES = 8;

  /** A raw BraTS case, the size the heap is planned for unless the command names its own. */
  static final Dims BRATS = new Dims(240, 240, 155);

  private LocalHeap() {}

  /** Bytes of one four-channel float32 volume of {@code dims}. */
  static long caseBytes(Dims dims) {
    return dims.voxelCount() * 4 * Float.BYTES;
  }

  /** The heap for {@code tasks} concurrent tasks on cases of {@code dims}, in whole MiB. */
  static long maxHeapBytes(Dims dims, int tasks, long physicalBytes) {
    long want = BASE_MIB * MIB + (long) Math.max(1, tasks) * CASE_COPIES * caseBytes(dims);
    long mib = (want + MIB - 1) / MIB;
    long jvmDefault = physicalBytes / 4;
    return Math.min(mib * MIB, Math.max(BASE_MIB * MIB, jvmDefault));
  }

  /** The volume size the command works on: the demo's {@code --size}, else {@link #BRATS}. */
  static Dims workSize(String[] args) {
    boolean demo = false;
    for (String a : args) {
      if (!a.startsWith("-")) {
        demo = a.equals("demo");
        break;
      }
    }
    if (!demo) {
      return BRATS;
    }
    String size = "48x48x32"; // DemoCommand's default
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--size") && i + 1 < args.length) {
        size = args[i + 1];
      } else if (args[i].startsWith("--size=")) {
        size = args[i].substring("--size=".length());
      }
    }
    try {
      return Dims.parse(size);
    } catch (IllegalArgumentException e) {
      return BRATS; // the command itself reports the bad size
    }
  }

  /** Whether the JVM options already size the heap (its maximum or its initial size). */
  static boolean heapGiven(List<String> jvmOptions) {
    return jvmOptions.stream()
        .anyMatch(
            o ->
                o.startsWith("-Xmx")
                    || o.startsWith("-Xms")
                    || o.startsWith("-XX:MaxHeapSize")
                    || o.startsWith("-XX:InitialHeapSize")
                    || o.startsWith("-XX:MaxRAMPercentage")
                    || o.startsWith("-XX:MaxRAM="));
  }

  /**
   * The {@code -Xmx} and equal {@code -Xms} options for the child, or none when the options already
   * size the heap.
   */
  static List<String> heapOptions(
      List<String> jvmOptions, String[] args, int cpus, long physicalBytes) {
    if (heapGiven(jvmOptions)) {
      return List.of();
    }
    long mib = maxHeapBytes(workSize(args), cpus, physicalBytes) / MIB;
    return List.of("-Xmx" + mib + "m", "-Xms" + mib + "m");
  }

  /** {@code jvmOptions} with the derived heap size appended where none was given. */
  static List<String> withHeap(
      List<String> jvmOptions, String[] args, int cpus, long physicalBytes) {
    List<String> out = new ArrayList<>(jvmOptions);
    out.addAll(heapOptions(jvmOptions, args, cpus, physicalBytes));
    return out;
  }
}
