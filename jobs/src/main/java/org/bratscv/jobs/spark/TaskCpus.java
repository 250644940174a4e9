package org.bratscv.jobs.spark;

import java.io.Serializable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.bratscv.model.engine.EngineSettings;

/**
 * The CPU cores of one training, inference or segmentation task and the libtorch threads it runs:
 * one number, so a task never runs more threads than the cores Spark gives it. On a cluster the
 * stage runs under a task resource profile asking {@link #cpus} cores (and the stage's GPU or GPU
 * share where executors have GPUs); in {@code local[N]} mode, which rejects profiles, every task of
 * these stages takes {@code cpus} of the N cores as a turn ({@link #take}) before it computes, as
 * Spark's {@code spark.task.cpus} would. libtorch runs {@code cpus} intra-op threads and one
 * inter-op thread: the stages run one op after another, so a second pool would only compete.
 *
 * @param cpus cores per task, and libtorch intra-op threads per task
 * @param localCores N of a {@code local[N]} master (the cores turns are taken from), 0 on a cluster
 * @param gpus whether the cluster schedules GPUs ({@link GpuScheduling#clusterHasGpus})
 */
public record TaskCpus(int cpus, int localCores, boolean gpus) implements Serializable {
  public static final int INTER_OP_THREADS = 1;

  private static final ConcurrentHashMap<Integer, Semaphore> LOCAL_CORES =
      new ConcurrentHashMap<>();

  public TaskCpus {
    if (cpus < 1) {
      throw new IllegalArgumentException("a task needs at least 1 CPU, got " + cpus);
    }
  }

  /** {@code cpus} per task of an application with Spark configuration {@code conf}. */
  public static TaskCpus of(SparkConf conf, int cpus) {
    return new TaskCpus(
        cpus, localCores(conf.get("spark.master", "local[*]")), GpuScheduling.clusterHasGpus(conf));
  }

  /**
   * N of {@code local}, {@code local[N]}, {@code local[*]} or {@code local[N,F]}; 0 for any other
   * master (a cluster, or {@code local-cluster[...]}).
   */
  static int localCores(String master) {
    if (master.equals("local")) {
      return 1;
    }
    if (!master.startsWith("local[") || !master.endsWith("]")) {
      return 0;
    }
    String n = master.substring("local[".length(), master.length() - 1).split(",")[0].trim();
    return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
  }

  /** How libtorch starts in a task: {@link #cpus} intra-op threads, one inter-op thread. */
  public EngineSettings engine() {
    return EngineSettings.defaults().withThreads(cpus, INTER_OP_THREADS);
  }

  /**
   * The stage's task profile on a cluster: {@link #cpus} cores, and {@code gpuAmount} GPUs where
   * executors have them (1 for training, a share for inference); null in local mode.
   */
  public ResourceProfile profile(double gpuAmount) {
    if (localCores > 0) {
      return null;
    }
    if (gpus) {
      return gpuAmount == 1.0
          ? GpuScheduling.oneGpuPerTask(cpus)
          : GpuScheduling.gpuShare(cpus, gpuAmount);
    }
    return new ResourceProfileBuilder().require(new TaskResourceRequests().cpus(cpus)).build();
  }

  /** {@code rdd} under {@link #profile} on a cluster; as it is in local mode. */
  public <T> JavaRDD<T> schedule(JavaRDD<T> rdd, double gpuAmount) {
    ResourceProfile p = profile(gpuAmount);
    return p == null ? rdd : rdd.withResources(p);
  }

  /** Tasks of these stages that compute at once in one local-mode JVM (0 on a cluster). */
  public int localTasksAtOnce() {
    return localCores == 0 ? 0 : Math.max(1, localCores / Math.min(cpus, localCores));
  }

  /** A held share of the local cores; closing it gives them back. */
  public interface Turn extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * In local mode waits until {@link #cpus} of the N local cores are free and holds them (all N
   * when cpus exceeds N); on a cluster, where the profile reserved the cores, returns at once.
   */
  public Turn take() throws InterruptedException {
    if (localCores == 0) {
      return () -> {};
    }
    Semaphore cores = LOCAL_CORES.computeIfAbsent(localCores, n -> new Semaphore(n, true));
    int permits = Math.min(cpus, localCores);
    cores.acquire(permits);
    return () -> cores.release(permits);
  }

  /** The local cores no task holds now (for tests); 0 on a cluster. */
  int freeLocalCores() {
    return localCores == 0
        ? 0
        : LOCAL_CORES.computeIfAbsent(localCores, n -> new Semaphore(n, true)).availablePermits();
  }

  /**
   * For {@code check}'s plan, e.g. "2 CPUs and 2 libtorch threads each, 1 at a time in local[2]".
   */
  public String describe() {
    String each =
        String.format(
            "%d CPU%s and %d libtorch thread%s each (+%d inter-op)",
            cpus, cpus == 1 ? "" : "s", cpus, cpus == 1 ? "" : "s", INTER_OP_THREADS);
    if (localCores == 0) {
      return each + ", as the stage's task resource profile";
    }
    return each
        + ", at most "
        + localTasksAtOnce()
        + " at a time on the "
        + localCores
        + " local core"
        + (localCores == 1 ? "" : "s");
  }
}
