package org.bratscv.jobs.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.bratscv.model.engine.DeviceChoice;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;

/**
 * GPU scheduling through Spark's own resource model. Executors declare {@code gpu} resources found
 * by a discovery script ({@code deploy/getGpusResources.sh}); the train stage runs under a task
 * resource profile that asks one whole GPU per task, so no two training tasks ever share a GPU; the
 * inference stage may ask a fraction. A running task reads its GPU address from its {@link
 * TaskContext} and hands it to DJL as its device. Without GPU resources every task runs on the CPU.
 *
 * <p>Never set task GPU amounts in {@code local[N]} mode: Spark then never schedules the task set
 * (it hangs silently), and local mode rejects task resource profiles. {@link #clusterHasGpus} says
 * whether profiles may be used.
 */
public final class GpuScheduling {
  public static final String GPU = "gpu";

  private GpuScheduling() {}

  /**
   * True when this application's executors declare GPUs and the master supports stage-level
   * scheduling (anything but plain {@code local[N]}).
   */
  public static boolean clusterHasGpus(SparkConf conf) {
    String master = conf.get("spark.master", "local[*]");
    boolean plainLocal = master.equals("local") || master.startsWith("local[");
    double perExecutor = conf.getDouble("spark.executor.resource.gpu.amount", 0);
    return !plainLocal && perExecutor > 0;
  }

  /**
   * The profile of a training task: {@code cpus} cores and exactly one GPU. A task-only profile, so
   * it works with dynamic allocation off.
   */
  public static ResourceProfile oneGpuPerTask(int cpus) {
    return new ResourceProfileBuilder()
        .require(new TaskResourceRequests().cpus(cpus).resource(GPU, 1.0))
        .build();
  }

  /**
   * The profile of an inference task sharing a GPU: {@code share} of one GPU (0 < share <= 1; Spark
   * accepts 1/n fractions, e.g. 0.5 lets two tasks share a card).
   */
  public static ResourceProfile gpuShare(int cpus, double share) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("GPU share per task must be in (0, 1], got " + share);
    }
    return new ResourceProfileBuilder()
        .require(new TaskResourceRequests().cpus(cpus).resource(GPU, share))
        .build();
  }

  /**
   * The device of the calling Spark task: {@code gpu:<address>} when Spark assigned it a GPU, else
   * {@code cpu}. Outside a task (driver, tests) it is {@code cpu}.
   */
  public static String taskDevice() {
    TaskContext ctx = TaskContext.get();
    if (ctx == null) {
      return "cpu";
    }
    Map<String, ResourceInformation> res = ctx.resourcesJMap();
    ResourceInformation gpu = res.get(GPU);
    if (gpu == null || gpu.addresses().length == 0) {
      return "cpu";
    }
    if (gpu.addresses().length > 1) {
      throw new IllegalStateException(
          "task "
              + ctx.taskAttemptId()
              + " holds "
              + gpu.addresses().length
              + " GPUs; brats-cv tasks use exactly one");
    }
    return "gpu:" + gpu.addresses()[0];
  }

  /**
   * In local mode, where every task runs in the driver's JVM, fails at once, before any work, when
   * {@code compute.device} ({@code setting}) asks for a GPU the PyTorch engine does not see; on a
   * cluster each task checks its own device.
   *
   * @throws IllegalStateException naming the setting and what is missing
   */
  public static void checkLocalDevice(SparkConf conf, String setting) {
    String master = conf.get("spark.master", "local[*]");
    String t = DeviceChoice.checkSetting(setting);
    if (!(master.equals("local") || master.startsWith("local[")) || t.equals(DeviceChoice.AUTO)) {
      return;
    }
    int gpus = t.equals("cpu") ? 0 : TorchEngine.start(EngineSettings.defaults()).gpuCount();
    try {
      DeviceChoice.resolve(t, "cpu", gpus);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("compute.device " + t + ": " + e.getMessage(), e);
    }
  }
}
