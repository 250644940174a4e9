package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.folds.KFold;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.PipelineSettings;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.spark.Progress;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.spark.TaskCpus;
import org.bratscv.jobs.spark.TaskProgress;
import org.bratscv.jobs.spark.TaskProgressAccumulator;
import org.bratscv.model.train.EpochLog;
import org.bratscv.model.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live progress of training: the driver sees a running task's epochs through executor heartbeats (a
 * real {@code local-cluster}, so they cross process boundaries), and each task's {@code log.csv}
 * grows after every epoch, a resumed task's keeping the epochs done before.
 */
class LiveTrainingProgressTest {
  private static final int EPOCHS = 10;

  @TempDir Path dir;

  private static RunConfig config(Path archive, Path out) {
    return RunConfig.of(
        ConfigTree.empty()
            .withAll(
                List.of(
                    "data.train=" + archive,
                    "output=" + out,
                    "pipelines.B.epochs=" + EPOCHS,
                    "pipelines.B.batch=1",
                    "pipelines.B.network.width=4",
                    "pipelines.B.patch=[16,16,16]",
                    "pipelines.B.validate_every=1")));
  }

  @Test
  void theDriverSeesARunningTasksEpochsBeforeTheTaskEnds() throws Exception {
    Path archive = dir.resolve("archive");
    new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 5), "Training", 1, true)
        .write(archive, 4, id -> {});
    RunConfig c = config(archive, dir.resolve("out"));
    OutputRoot out = new OutputRoot(c.output());
    SparkSession spark = localCluster();
    try {
      PreprocessStage.Result pre =
          new PreprocessStage()
              .run(
                  spark,
                  new PreprocessStage.Settings(
                      archive.toString(), out, EnumSet.of(Normalization.B), null, 4, 1L << 30));
      assertEquals(4, pre.ok().size(), "preprocess: " + pre.errors());
      FoldSplit split =
          KFold.split(pre.ok().stream().map(CaseManifestRow::getCaseId).toList(), 2, c.seed());
      TrainStage.Settings s =
          new TrainStage.Settings(
              out, Map.of("baseline", Map.of("B", c.pipelines().get("B"))), split, c.compute());
      TrainStage.Task task = new TrainStage.Task("baseline", "B", 0);
      Path taskLog = dir.resolve("out/train/baseline/B/fold0/log.csv");

      List<Long> taskEnds = new CopyOnWriteArrayList<>();
      spark
          .sparkContext()
          .addSparkListener(
              new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd e) {
                  taskEnds.add(e.taskInfo().finishTime());
                }
              });
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
      TaskCpus cpus = TaskCpus.of(sc.getConf(), s.compute().trainCpusPerTask());
      Progress.Snapshot seen = null;
      long seenAt = 0;
      int logRowsWhenSeen = -1;
      List<TrainStage.Outcome> outcomes;
      // the same plumbing as TrainStage.run, with the Progress in the test's hands
      try (Progress progress = Progress.start(spark.sparkContext(), "train: epochs", EPOCHS)) {
        LongAccumulator epochsDone = progress.counter();
        TaskProgressAccumulator status = progress.tasks();
        taskEnds.clear();
        JavaFutureAction<List<TrainStage.Outcome>> run =
            sc.parallelize(List.of(task), 1)
                .map(t -> TrainStage.trainOne(t, s, cpus, conf, epochsDone, status))
                .collectAsync();
        while (!run.isDone()) {
          Progress.Snapshot now = progress.snapshot();
          if (seen == null
              && now.running().stream()
                  .anyMatch(p -> p.epochsDone() >= 1 && p.epochsDone() < EPOCHS)) {
            seenAt = System.currentTimeMillis();
            seen = now;
            logRowsWhenSeen = Files.readAllLines(taskLog).size() - 1;
          }
          Thread.sleep(50);
        }
        outcomes = run.get(120, TimeUnit.SECONDS);
        assertEquals(EPOCHS, progress.snapshot().done(), 1e-12, "all epochs once, at the end");
      }
      assertEquals("ok", outcomes.get(0).model().getStatus(), outcomes.get(0).model().getReason());
      assertNotNull(seen, "the driver never saw a finished epoch of the running task");
      long seenAtFinal = seenAt;
      waitFor(() -> !taskEnds.isEmpty());
      long end = taskEnds.get(0);
      assertTrue(seenAtFinal < end, "seen at " + seenAtFinal + ", the task ended at " + end);
      TaskProgress p = seen.running().get(0);
      assertEquals("baseline/B/fold0", p.label());
      assertEquals(EPOCHS, p.totalEpochs());
      assertEquals(2, p.stepsPerEpoch(), "2 training cases, batch 1");
      assertTrue(Double.isFinite(p.loss()) && p.loss() > 0, "loss " + p.loss());
      assertTrue(seen.done() >= 1 && seen.done() < EPOCHS, "done " + seen.done());
      assertTrue(
          seen.lines().get(1).startsWith("train: epochs: task baseline/B/fold0: "),
          String.join("\n", seen.lines()));
      System.out.println("driver progress while training:\n  " + String.join("\n  ", seen.lines()));
      // the task's log had the epochs the driver saw, and ends with every epoch once
      assertTrue(logRowsWhenSeen >= p.epochsDone(), "log rows " + logRowsWhenSeen + " vs " + p);
      assertEquals(epochsOf(EPOCHS), epochColumn(taskLog));
    } finally {
      spark.stop();
    }
  }

  @Test
  void aResumedTasksLogKeepsTheEpochsDoneBeforeAndHasEachEpochOnce() throws Exception {
    Path taskLog = dir.resolve("train/baseline/B/fold0/log.csv");
    PipelineSettings p = config(dir, dir).pipelines().get("B");
    TrainStage.Task task = new TrainStage.Task("baseline", "B", 0);
    FileSystem fs = FileSystem.getLocal(new Configuration());
    TaskProgressAccumulator status = new TaskProgressAccumulator();
    TrainingListener first =
        TrainStage.listener(
            task,
            p,
            new LongAccumulator(),
            status,
            fs,
            new org.apache.hadoop.fs.Path(taskLog.toString()));
    first.onEpoch(epoch(0));
    first.onEpoch(epoch(1));
    first.onEpoch(epoch(2));
    assertEquals(epochsOf(3), epochColumn(taskLog));
    // the attempt died after epoch 2's log but before its checkpoint: the retry resumes after 1
    LongAccumulator epochs = new LongAccumulator();
    TrainingListener retry =
        TrainStage.listener(
            task, p, epochs, status, fs, new org.apache.hadoop.fs.Path(taskLog.toString()));
    retry.onResume(1, List.of(epoch(0), epoch(1)));
    retry.onStep(2, 0, 2, 0.7);
    TaskProgress resumed = status.value().get("baseline/B/fold0");
    assertEquals(
        List.of(2, 1, 2, 2),
        List.of(
            resumed.epochsDone(),
            resumed.stepsDone(),
            resumed.stepsPerEpoch(),
            resumed.startEpochs()));
    assertEquals(0.7, resumed.loss());
    retry.onEpoch(epoch(2));
    retry.onEpoch(epoch(3));
    assertEquals(epochsOf(4), epochColumn(taskLog));
    assertEquals(4, epochs.value(), "2 resumed + 2 trained");
    assertEquals(4, status.value().get("baseline/B/fold0").epochsDone());
  }

  private static EpochLog epoch(int e) {
    return new EpochLog(
        e, "main", 1.0 / (e + 1), Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1e-3, 1);
  }

  private static List<Integer> epochsOf(int n) {
    return java.util.stream.IntStream.range(0, n).boxed().toList();
  }

  private static List<Integer> epochColumn(Path log) throws java.io.IOException {
    List<String> lines = Files.readAllLines(log);
    assertEquals("epoch", lines.get(0).split(",")[3]);
    return lines.stream().skip(1).map(l -> Integer.parseInt(l.split(",")[3])).toList();
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
      Thread.sleep(50);
    }
    assertTrue(condition.getAsBoolean(), "timed out waiting");
  }

  /** One executor of one core that heartbeats twice a second. */
  private static SparkSession localCluster() throws java.io.IOException {
    Files.createDirectories(Path.of(System.getenv("SPARK_HOME")).resolve("jars"));
    Map<String, String> conf = new HashMap<>();
    conf.put("spark.master", "local-cluster[1,1,1536]");
    conf.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
    String options = "-Dai.djl.offline=true";
    if (System.getProperty("DJL_CACHE_DIR") != null) {
      options += " -DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR");
    }
    conf.put("spark.executor.extraJavaOptions", options);
    conf.put("spark.executor.heartbeatInterval", "500ms");
    return SparkSessions.getOrCreate("live-progress", conf);
  }
}
