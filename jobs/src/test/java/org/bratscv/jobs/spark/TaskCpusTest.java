package org.bratscv.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.TaskResourceRequest;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.junit.jupiter.api.Test;

class TaskCpusTest {

  private static RunConfig config(String... sets) {
    List<String> all =
        new java.util.ArrayList<>(
            List.of("data.train=/unused", "output=/tmp/o", "pipelines.A.epochs=1"));
    all.addAll(List.of(sets));
    return RunConfig.of(ConfigTree.empty().withAll(all));
  }

  private static SparkConf cluster(boolean gpus) {
    SparkConf conf = new SparkConf(false).set("spark.master", "spark://head:7077");
    return gpus ? conf.set("spark.executor.resource.gpu.amount", "1") : conf;
  }

  private static double taskAmount(ResourceProfile p, String resource) {
    TaskResourceRequest r = p.taskResourcesJMap().get(resource);
    return r == null ? 0 : r.amount();
  }

  @Test
  void everyStagesProfileAsksTheCoresItsLibtorchRunsAsThreads() {
    RunConfig c = config("compute.engine_threads=3", "compute.train_cpus_per_task=4");
    for (boolean gpus : new boolean[] {false, true}) {
      TaskCpus train = TaskCpus.of(cluster(gpus), c.compute().trainCpusPerTask());
      TaskCpus infer = TaskCpus.of(cluster(gpus), c.compute().engineThreads());
      assertEquals(4, train.engine().intraOpThreads());
      assertEquals(4.0, taskAmount(train.profile(1.0), "cpus"));
      assertEquals(3, infer.engine().intraOpThreads());
      assertEquals(3.0, taskAmount(infer.profile(0.25), "cpus"));
      assertEquals(1, train.engine().interOpThreads());
      assertEquals(1, infer.engine().interOpThreads());
      assertEquals(gpus ? 1.0 : 0.0, taskAmount(train.profile(1.0), GpuScheduling.GPU));
      assertEquals(gpus ? 0.25 : 0.0, taskAmount(infer.profile(0.25), GpuScheduling.GPU));
    }
  }

  @Test
  void trainingTasksTakeTheEngineThreadsUnlessTheirOwnCpusAreSet() {
    RunConfig c = config("compute.engine_threads=2");
    assertEquals(2, c.compute().trainCpusPerTask());
    assertEquals(2, TaskCpus.of(cluster(false), c.compute().trainCpusPerTask()).cpus());
    assertEquals(1, config().compute().trainCpusPerTask());
  }

  @Test
  void localModeHasNoProfileAndCountsItsCores() {
    SparkConf local = new SparkConf(false).set("spark.master", "local[2]");
    TaskCpus two = TaskCpus.of(local, 2);
    assertNull(two.profile(1.0));
    assertEquals(2, two.localCores());
    assertEquals(1, two.localTasksAtOnce());
    assertEquals(2, two.engine().intraOpThreads());
    assertEquals(2, TaskCpus.of(local, 1).localTasksAtOnce());
    assertEquals(1, TaskCpus.localCores("local"));
    assertEquals(6, TaskCpus.localCores("local[6, 3]"));
    assertEquals(Runtime.getRuntime().availableProcessors(), TaskCpus.localCores("local[*]"));
    assertEquals(0, TaskCpus.localCores("local-cluster[2,2,1024]"));
    assertEquals(0, TaskCpus.localCores("yarn"));
    assertFalse(TaskCpus.of(local, 1).gpus());
  }

  @Test
  void aLocalTaskHoldsItsCoresUntilItsTurnCloses() throws InterruptedException {
    // local[7] is used by no other test: its turn pool is this test's alone
    SparkConf local = new SparkConf(false).set("spark.master", "local[7]");
    TaskCpus three = TaskCpus.of(local, 3);
    TaskCpus nine = TaskCpus.of(local, 9);
    assertEquals(7, three.freeLocalCores());
    try (TaskCpus.Turn a = three.take();
        TaskCpus.Turn b = three.take()) {
      assertEquals(1, three.freeLocalCores());
    }
    assertEquals(7, three.freeLocalCores());
    try (TaskCpus.Turn all = nine.take()) { // more than the machine has: all of it, not a hang
      assertEquals(0, nine.freeLocalCores());
    }
    assertEquals(7, nine.freeLocalCores());
    assertTrue(
        three.describe().endsWith("at most 2 at a time on the 7 local cores"), three.describe());
  }

  @Test
  void onAClusterATurnIsFreeAndThePlanNamesTheProfile() throws InterruptedException {
    TaskCpus c = TaskCpus.of(cluster(false), 2);
    try (TaskCpus.Turn t = c.take()) {
      assertEquals(0, c.localTasksAtOnce());
    }
    assertEquals(
        "2 CPUs and 2 libtorch threads each (+1 inter-op), as the stage's task resource profile",
        c.describe());
  }
}
