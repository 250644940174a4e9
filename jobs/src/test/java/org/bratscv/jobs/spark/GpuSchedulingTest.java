package org.bratscv.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real Spark stage-level GPU scheduling on a {@code local-cluster} of two workers with one fake GPU
 * each (a discovery script hands each worker a different address).
 */
class GpuSchedulingTest {
  private static SparkSession spark;
  private static Path claims;

  /** One task's view: its device and when it ran. */
  record Run(String device, long start, long end) implements java.io.Serializable {}

  @BeforeAll
  static void startCluster() throws IOException {
    Path target = Path.of(System.getenv("SPARK_HOME"));
    Files.createDirectories(target.resolve("jars"));
    claims = Files.createTempDirectory("gpu-claims");
    Path script = claims.resolve("discover.sh");
    Files.writeString(
        script,
        "#!/usr/bin/env bash\n"
            + "for i in 0 1 2 3 4 5 6 7; do\n"
            + "  if mkdir \""
            + claims
            + "/gpu-$i\" 2>/dev/null; then\n"
            + "    echo \"{\\\"name\\\":\\\"gpu\\\",\\\"addresses\\\":[\\\"$i\\\"]}\"; exit 0\n"
            + "  fi\n"
            + "done\n"
            + "exit 1\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    SparkConf conf =
        new SparkConf()
            .setMaster("local-cluster[2,2,1024]")
            .setAppName("gpu-scheduling-test")
            .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
            .set("spark.worker.resource.gpu.amount", "1")
            .set("spark.worker.resource.gpu.discoveryScript", script.toString())
            .set("spark.executor.resource.gpu.amount", "1")
            .set("spark.task.resource.gpu.amount", "0.5")
            .set("spark.executor.cores", "2")
            .set("spark.dynamicAllocation.enabled", "false")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.ui.enabled", "false");
    spark = SparkSession.builder().config(conf).getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static List<Run> runTasks(int n, org.apache.spark.resource.ResourceProfile profile)
      throws Exception {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(i);
    }
    JavaRDD<Integer> rdd = sc.parallelize(items, n);
    if (profile != null) {
      rdd = rdd.withResources(profile);
    }
    return rdd.map(
            i -> {
              long start = System.nanoTime();
              String device = GpuScheduling.taskDevice();
              Thread.sleep(1500);
              return new Run(device, start, System.nanoTime());
            })
        .collectAsync()
        .get(120, TimeUnit.SECONDS);
  }

  @Test
  void trainingTasksEachHoldOneGpuAndNeverShareIt() throws Exception {
    List<Run> runs = runTasks(4, GpuScheduling.oneGpuPerTask(1));
    assertEquals(4, runs.size());
    Set<String> devices = new HashSet<>();
    for (Run r : runs) {
      assertTrue(r.device().matches("gpu:[0-7]"), r.device());
      devices.add(r.device());
    }
    assertEquals(2, devices.size(), "both workers' GPUs were used: " + devices);
    // executors are separate JVMs but share the machine clock (nanoTime is per-JVM, so compare
    // only runs on the same address, which ran in the same executor)
    for (Run a : runs) {
      for (Run b : runs) {
        if (a != b && a.device().equals(b.device())) {
          assertFalse(
              a.start() < b.end() && b.start() < a.end(),
              "two training tasks overlapped on " + a.device());
        }
      }
    }
  }

  @Test
  void inferenceTasksShareAGpuByTheirFraction() throws Exception {
    List<Run> runs = runTasks(4, null); // default profile: spark.task.resource.gpu.amount = 0.5
    boolean overlapOnOneGpu = false;
    for (Run a : runs) {
      assertTrue(a.device().startsWith("gpu:"), a.device());
      for (Run b : runs) {
        overlapOnOneGpu |=
            a != b && a.device().equals(b.device()) && a.start() < b.end() && b.start() < a.end();
      }
    }
    assertTrue(overlapOnOneGpu, "with 0.5 GPU per task two tasks run together on one GPU");
  }

  @Test
  void inferenceProfileWithHalfAGpuRunsTwoTasksTogetherOnOneGpu() throws Exception {
    List<Run> runs = runTasks(4, GpuScheduling.gpuShare(1, 0.5));
    boolean shared = false;
    for (Run a : runs) {
      assertTrue(a.device().startsWith("gpu:"), a.device());
      for (Run b : runs) {
        shared |=
            a != b && a.device().equals(b.device()) && a.start() < b.end() && b.start() < a.end();
      }
    }
    assertTrue(shared, "0.5 GPU per inference task lets two tasks share one GPU");
  }

  @Test
  void aStagesTasksHoldAsManyCoresAsTheirLibtorchRunsThreads() throws Exception {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    for (int cpus : new int[] {1, 2}) {
      TaskCpus stage = TaskCpus.of(sc.getConf(), cpus);
      List<int[]> seen =
          stage
              .schedule(sc.parallelize(List.of(0, 1, 2, 3), 4), 0.5)
              .map(
                  i ->
                      new int[] {
                        org.apache.spark.TaskContext.get().cpus(),
                        stage.engine().intraOpThreads(),
                        stage.engine().interOpThreads()
                      })
              .collectAsync()
              .get(120, TimeUnit.SECONDS);
      assertEquals(4, seen.size());
      for (int[] s : seen) {
        assertEquals(cpus, s[0], "cores Spark gave the task");
        assertEquals(cpus, s[1], "libtorch intra-op threads");
        assertEquals(1, s[2], "libtorch inter-op threads");
      }
    }
  }

  @Test
  void trainStageHandsEachTaskOfEveryVariantItsOwnGpuAddressAsTheModelDevice() throws Exception {
    java.nio.file.Path out = java.nio.file.Files.createTempDirectory("train-gpu");
    org.bratscv.jobs.config.RunConfig c =
        org.bratscv.jobs.config.RunConfig.of(
            org.bratscv.jobs.config.ConfigTree.empty()
                .withAll(
                    List.of(
                        "data.train=/unused",
                        "output=" + out,
                        "folds.k=2",
                        "pipelines.A.epochs=1",
                        "pipelines.B.epochs=1")));
    org.bratscv.data.folds.FoldSplit split =
        org.bratscv.data.folds.KFold.split(List.of("a", "b", "c", "d"), 2, 1);
    org.bratscv.jobs.stages.TrainStage.Settings s =
        new org.bratscv.jobs.stages.TrainStage.Settings(
            new org.bratscv.jobs.io.OutputRoot(out.toString()),
            // two variants, as a sweep schedules them: all their tasks in one job, one GPU each
            java.util.Map.of("baseline", c.pipelines(), "attention", c.pipelines()),
            split,
            c.compute());
    var tasks = org.bratscv.jobs.stages.TrainStage.allTasks(s);
    var result = new org.bratscv.jobs.stages.TrainStage().run(spark, s, tasks);
    assertEquals(8, result.models().size());
    assertEquals(
        Set.of("baseline", "attention"),
        new HashSet<>(result.models().stream().map(m -> m.getVariant()).toList()));
    Set<String> devices = new HashSet<>();
    for (var m : result.models()) {
      // the executors' libtorch is the CPU build: the GPU Spark assigned reaches the model's device
      // choice, which refuses it with a clear message instead of training on the CPU
      assertTrue(m.getDevice().matches("gpu:[0-7]"), m.getDevice());
      assertEquals(m.getDevice(), m.getSparkGpu(), "the manifest records the GPU Spark reserved");
      assertEquals("error", m.getStatus());
      assertTrue(
          m.getReason()
              .contains(
                  "device gpu("
                      + m.getDevice().substring(4)
                      + ") requested but the PyTorch engine sees 0 GPU(s)"),
          m.getReason());
      devices.add(m.getDevice());
    }
    assertEquals(2, devices.size(), "both workers' GPUs were handed out: " + devices);
  }

  @Test
  void plainLocalModeNeverCountsAsAGpuCluster() {
    SparkConf local =
        new SparkConf().setMaster("local[4]").set("spark.executor.resource.gpu.amount", "1");
    assertFalse(GpuScheduling.clusterHasGpus(local));
    assertTrue(GpuScheduling.clusterHasGpus(spark.sparkContext().getConf()));
    assertEquals("cpu", GpuScheduling.taskDevice());
  }
}
