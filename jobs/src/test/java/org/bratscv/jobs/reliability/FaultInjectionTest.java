package org.bratscv.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.folds.KFold;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.cli.Relauncher;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CaseManifestRow;
import org.bratscv.jobs.stages.CaseRecord;
import org.bratscv.jobs.stages.ModelRow;
import org.bratscv.jobs.stages.PreparedCaseFiles;
import org.bratscv.jobs.stages.PreprocessStage;
import org.bratscv.jobs.stages.TrainStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real faults, no test hooks in the production code: (1) the executor JVM of a Spark {@code
 * local-cluster} is killed while it trains, and (2) the driver JVM of a whole {@code brats-cv cv}
 * run on a {@code local-cluster} is killed twice, once while it preprocesses and once while it
 * trains, then rerun. Each run must end with exactly the outputs of an undisturbed run: training
 * resumed from its last checkpoint, completed work kept, partial work redone, no row twice, no
 * temporary file, every file complete.
 */
class FaultInjectionTest {
  /**
   * Cases of the cv run: big enough that writing a prepared case takes a moment (so the first kill
   * can find one half-written), small enough for seconds of inference.
   */
  private static final Dims CASE_DIMS = new Dims(40, 40, 24);

  /** Seconds any one run may take before the test gives up on it. */
  private static final long WAIT_SECONDS = 180;

  @TempDir Path dir;

  // ---------------------------------------------------------------------------------------------
  // Promise 4: a killed training task resumes
  // ---------------------------------------------------------------------------------------------

  /** What the watcher saw when it pulled the trigger. */
  private record ExecutorKill(int fold, int completedEpoch, long pid, long millisIntoRun) {}

  @Test
  void aTrainingTaskWhoseExecutorIsKilledIsRetriedAndResumesFromItsLastCheckpoint()
      throws Exception {
    Path archive = dir.resolve("archive");
    new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 41), "Training", 1, true)
        .write(archive, 6, id -> {});
    Path straight = dir.resolve("straight");
    Path killed = dir.resolve("killed");
    int epochs = 8;
    RunConfig c =
        RunConfig.of(
            ConfigTree.empty()
                .withAll(
                    List.of(
                        "data.train=" + archive,
                        "output=" + straight,
                        "pipelines.B.epochs=" + epochs,
                        "pipelines.B.batch=1",
                        "pipelines.B.network.width=4",
                        "pipelines.B.patch=[16,16,16]",
                        "pipelines.B.validate_every=1")));

    SparkSession spark = localCluster();
    try {
      OutputRoot straightRoot = new OutputRoot(straight.toString());
      PreprocessStage.Result pre =
          new PreprocessStage()
              .run(
                  spark,
                  new PreprocessStage.Settings(
                      archive.toString(),
                      straightRoot,
                      EnumSet.of(Normalization.B),
                      null,
                      3,
                      1L << 30));
      assertEquals(6, pre.ok().size(), "preprocess: " + pre.errors());
      copyTree(straight.resolve("preprocess"), killed.resolve("preprocess"));
      FoldSplit split =
          KFold.split(pre.ok().stream().map(CaseManifestRow::getCaseId).toList(), 2, c.seed());
      Map<String, Map<String, org.bratscv.jobs.config.PipelineSettings>> pipelines =
          Map.of("baseline", Map.of("B", c.pipelines().get("B")));

      long t0 = System.nanoTime();
      TrainStage.Settings undisturbed =
          new TrainStage.Settings(straightRoot, pipelines, split, c.compute());
      TrainStage.Result reference =
          new TrainStage().run(spark, undisturbed, TrainStage.allTasks(undisturbed));
      assertEquals(List.of(), reference.failed());
      double straightSeconds = (System.nanoTime() - t0) / 1e9;

      List<SparkListenerTaskEnd> ends = new CopyOnWriteArrayList<>();
      spark
          .sparkContext()
          .addSparkListener(
              new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd e) {
                  ends.add(e);
                }
              });
      TrainStage.Settings s =
          new TrainStage.Settings(new OutputRoot(killed.toString()), pipelines, split, c.compute());
      String appId = spark.sparkContext().applicationId();
      long t1 = System.nanoTime();
      CompletableFuture<TrainStage.Result> run =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new TrainStage().run(spark, s, TrainStage.allTasks(s));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      ExecutorKill kill = null;
      Path taskRoot = killed.resolve("train/baseline/B");
      while (kill == null && !run.isDone()) {
        for (int fold = 0; fold < 2 && kill == null; fold++) {
          Path task = taskRoot.resolve("fold" + fold);
          int done = latestCompleteEpoch(task);
          if (done >= 2 && !Files.exists(task.resolve("final/manifest.json"))) {
            long pid = killExecutor(appId);
            kill = new ExecutorKill(fold, done, pid, (System.nanoTime() - t1) / 1_000_000);
          }
        }
        Thread.sleep(10);
      }
      assertNotNull(
          kill,
          "the training finished before the watcher saw a task past epoch 2: make the tasks"
              + " longer");
      TrainStage.Result r = run.get(WAIT_SECONDS, TimeUnit.SECONDS);
      double killedSeconds = (System.nanoTime() - t1) / 1e9;

      // Spark saw the executor die and ran the task again on its replacement (listener events
      // arrive asynchronously: wait for the one of the killed task's successful attempt)
      final int killedFold = kill.fold();
      Supplier<Optional<SparkListenerTaskEnd>> success =
          () ->
              ends.stream()
                  .filter(e -> e.taskInfo().index() == killedFold && e.taskInfo().successful())
                  .findFirst();
      waitUntil(() -> success.get().isPresent(), "the end of fold " + killedFold + "'s task");
      SparkListenerTaskEnd retried = success.get().orElseThrow();
      List<SparkListenerTaskEnd> lost =
          ends.stream().filter(e -> e.reason() instanceof ExecutorLostFailure).toList();
      assertFalse(lost.isEmpty(), "no task failed with ExecutorLostFailure: " + ends);
      assertTrue(retried.taskInfo().attemptNumber() >= 1, "the successful attempt is a retry");
      assertTrue(
          lost.stream()
              .noneMatch(e -> e.taskInfo().executorId().equals(retried.taskInfo().executorId())),
          "the retry ran on a new executor");

      // the run is complete, and the killed task resumed where its predecessor stopped
      assertEquals(List.of(), r.failed(), "failed: " + r.failed());
      ModelRow resumed =
          r.models().stream().filter(m -> m.getFold() == killedFold).findFirst().orElseThrow();
      assertTrue(
          resumed.getResumedAfter() >= kill.completedEpoch(),
          "fold "
              + killedFold
              + " was killed after its epoch "
              + kill.completedEpoch()
              + " checkpoint but resumed after epoch "
              + resumed.getResumedAfter());
      OutputTree.Table log = OutputTree.csv(killed.resolve("train/log.csv"));
      log.assertUnique("train/log.csv", "variant", "pipeline", "fold", "epoch");
      assertEquals(2 * epochs, log.rows().size(), "every epoch of both folds, once");

      // the same outputs as the undisturbed run, to the byte where the run is deterministic
      OutputTree.assertNoTemporaries(killed);
      assertEquals(
          OutputTree.outputs(straight.resolve("train")),
          OutputTree.outputs(killed.resolve("train")));
      // per fold: the 2 newest epochs (keep_checkpoints), best (B keeps the best validation), final
      assertEquals(2 * 4, OutputTree.assertCheckpointsVerify(killed.resolve("train")));
      for (int fold = 0; fold < 2; fold++) {
        String weights = "fold" + fold + "/final/weights.bin";
        assertEquals(
            OutputTree.sha256(straight.resolve("train/baseline/B").resolve(weights)),
            OutputTree.sha256(taskRoot.resolve(weights)),
            weights + ": a resumed training ends with the weights of an uninterrupted one");
      }
      assertEquals(
          withoutColumn(OutputTree.csv(straight.resolve("train/log.csv")), "seconds"),
          withoutColumn(log, "seconds"));
      System.out.printf(
          "executor kill: pid %d killed %d ms into the run, fold %d after epoch %d checkpoint;"
              + " resumed after epoch %d (attempt %d on executor %s); run %.1f s, undisturbed"
              + " %.1f s%n",
          kill.pid(),
          kill.millisIntoRun(),
          kill.fold(),
          kill.completedEpoch(),
          resumed.getResumedAfter(),
          retried.taskInfo().attemptNumber(),
          retried.taskInfo().executorId(),
          killedSeconds,
          straightSeconds);
    } finally {
      spark.stop();
    }
  }

  /**
   * One worker with one executor of two cores, started from the test class path with the fake
   * {@code SPARK_HOME} of the build (see NOTES.md); the standalone worker relaunches an executor
   * that dies.
   */
  private static SparkSession localCluster() throws IOException {
    Files.createDirectories(Path.of(System.getenv("SPARK_HOME")).resolve("jars"));
    Map<String, String> conf = new HashMap<>();
    conf.put("spark.master", "local-cluster[1,2,1536]");
    conf.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
    conf.put(
        "spark.executor.extraJavaOptions",
        djlOptions().stream().reduce((a, b) -> a + " " + b).orElse(""));
    conf.put("spark.task.maxFailures", "4");
    return SparkSessions.getOrCreate("fault-injection", conf);
  }

  /** The newest epoch checkpoint of a task folder that is complete (has its manifest), or -1. */
  private static int latestCompleteEpoch(Path task) throws IOException {
    if (!Files.isDirectory(task)) {
      return -1;
    }
    try (Stream<Path> s = Files.list(task)) {
      return s.filter(p -> p.getFileName().toString().startsWith("epoch-"))
          .filter(p -> Files.exists(p.resolve("manifest.json")))
          .mapToInt(p -> Integer.parseInt(p.getFileName().toString().substring(6)))
          .max()
          .orElse(-1);
    }
  }

  /** SIGKILLs this application's one executor JVM (a child of the worker in this JVM). */
  private static long killExecutor(String appId) {
    List<ProcessHandle> executors =
        ProcessHandle.current()
            .descendants()
            .filter(
                p -> {
                  String cmd = commandLine(p);
                  return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains(appId);
                })
            .toList();
    assertEquals(
        1,
        executors.size(),
        "executors of "
            + appId
            + " among "
            + ProcessHandle.current()
                .descendants()
                .map(p -> p.pid() + ": " + commandLine(p).replaceAll("-cp \\S+", "-cp ..."))
                .toList());
    ProcessHandle executor = executors.get(0);
    assertTrue(executor.destroyForcibly(), "cannot kill executor " + executor.pid());
    return executor.pid();
  }

  /** The whole command line of a process (ProcessHandle.Info may cut it short; /proc does not). */
  private static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")))
          .replace('\0', ' ');
    } catch (IOException e) {
      return p.info().commandLine().orElse("");
    }
  }

  private static List<List<String>> withoutColumn(OutputTree.Table t, String column) {
    int i = t.header().indexOf(column);
    List<List<String>> out = new ArrayList<>();
    for (List<String> r : t.rows()) {
      List<String> copy = new ArrayList<>(r);
      copy.remove(i);
      out.add(copy);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Promise 5: a repeated or interrupted run never duplicates or half-writes
  // ---------------------------------------------------------------------------------------------

  @Test
  void aCvRunWhoseDriverIsKilledTwiceEndsWithTheOutputsOfAnUndisturbedRun() throws Exception {
    Path train = dir.resolve("train");
    Path test = dir.resolve("test");
    PhantomGenerator gen = new PhantomGenerator(CASE_DIMS, 43);
    List<String> trainIds = new PhantomArchive(gen, "Training", 1, true).write(train, 6, id -> {});
    new PhantomArchive(gen, "Validation", 100, true).write(test, 2, id -> {});
    Path config = dir.resolve("demo.yaml");
    try (InputStream in = getClass().getResourceAsStream("/org/bratscv/jobs/conf/demo.yaml")) {
      Files.copy(in, config);
    }

    // the reference: one undisturbed run
    Path straight = dir.resolve("straight");
    long t0 = System.nanoTime();
    Process ref = startCv(config, sets(train, test, straight), dir.resolve("straight.log"));
    assertExit(ref, 0, dir.resolve("straight.log"));
    double straightSeconds = (System.nanoTime() - t0) / 1e9;

    Path out = dir.resolve("out");
    Path cases = out.resolve("preprocess/cases");
    List<String> options = sets(train, test, out);

    // kill 1: once a case is complete while another is half-written (or, failing that moment,
    // once 4 of the 6 are complete)
    Path log1 = dir.resolve("run1.log");
    long t1 = System.nanoTime();
    Process run1 = startCv(config, options, log1);
    killWhen(
        run1,
        log1,
        () -> {
          int[] cp = completeAndPartial(cases);
          return cp[0] >= 1 && (cp[1] >= 1 || cp[0] >= 4)
              ? Optional.of(cases)
              : Optional.<Path>empty();
        });
    double kill1Seconds = (System.nanoTime() - t1) / 1e9;
    List<String> temporariesAtKill1 = OutputTree.temporaries(out);
    Map<String, Map<String, String>> completeAtKill1 = new TreeMap<>();
    List<String> partialAtKill1 = new ArrayList<>();
    for (String id : trainIds) {
      Path caseDir = cases.resolve(id);
      if (Files.exists(caseDir.resolve(PreparedCaseFiles.CASE_JSON))) {
        completeAtKill1.put(id, OutputTree.digests(caseDir));
      } else if (Files.isDirectory(caseDir)) {
        partialAtKill1.add(id);
      }
    }
    assertFalse(completeAtKill1.isEmpty());
    Map<String, Long> keptCaseTimes =
        OutputTree.modified(cases.resolve(completeAtKill1.keySet().iterator().next()));

    // kill 2: as soon as the first epoch checkpoint of any training task is complete
    Path trainRoot = out.resolve("train/baseline");
    Path log2 = dir.resolve("run2.log");
    long t2 = System.nanoTime();
    Process run2 = startCv(config, options, log2);
    killWhen(run2, log2, () -> anyFile(trainRoot, 4, "manifest.json"));
    double kill2Seconds = (System.nanoTime() - t2) / 1e9;
    List<String> temporariesAtKill2 = OutputTree.temporaries(out);
    Map<String, Integer> epochAtKill2 = new TreeMap<>();
    Map<String, Map<String, String>> finalAtKill2 = new TreeMap<>();
    for (String task : List.of("A/fold0", "A/fold1", "B/fold0", "B/fold1")) {
      Path t = trainRoot.resolve(task);
      epochAtKill2.put(task, latestCompleteEpoch(t));
      if (Files.exists(t.resolve("final/manifest.json"))) {
        finalAtKill2.put(task, OutputTree.digests(t.resolve("final")));
      }
    }
    assertTrue(epochAtKill2.values().stream().anyMatch(e -> e >= 0));
    assertTrue(finalAtKill2.size() < 4, "killed before every model was final");

    // the rerun that completes
    Path log3 = dir.resolve("run3.log");
    long t3 = System.nanoTime();
    assertExit(startCv(config, options, log3), 0, log3);
    double rerunSeconds = (System.nanoTime() - t3) / 1e9;
    // each rerun took over the lock its killed predecessor left (this host, its pid gone), and the
    // run that completed released it
    for (Path rerun : List.of(log2, log3)) {
      assertTrue(Files.readString(rerun).contains("taking over the stale lock"), rerun.toString());
    }
    assertFalse(Files.exists(out.resolve(RunLock.FILE_NAME)));

    // completed work was kept (not rewritten), partial work redone
    for (Map.Entry<String, Map<String, String>> e : completeAtKill1.entrySet()) {
      assertEquals(e.getValue(), OutputTree.digests(cases.resolve(e.getKey())), e.getKey());
    }
    assertEquals(
        keptCaseTimes,
        OutputTree.modified(cases.resolve(completeAtKill1.keySet().iterator().next())),
        "a case completed before the first kill was not rewritten");
    for (String id : trainIds) {
      assertTrue(Files.exists(cases.resolve(id).resolve(PreparedCaseFiles.CASE_JSON)), id);
    }
    for (Map.Entry<String, Map<String, String>> e : finalAtKill2.entrySet()) {
      assertEquals(
          e.getValue(), OutputTree.digests(trainRoot.resolve(e.getKey()).resolve("final")));
    }
    OutputTree.Table models = OutputTree.csv(out.resolve("train/models.csv"));
    models.assertUnique("train/models.csv", "variant", "pipeline", "fold");
    assertEquals(4, models.rows().size());
    for (List<String> m : models.rows()) {
      String task = models.get(m, "pipeline") + "/fold" + models.get(m, "fold");
      assertEquals("ok", models.get(m, "status"), task + ": " + models.get(m, "reason"));
      int resumedAfter = Integer.parseInt(models.get(m, "resumed_after"));
      assertTrue(
          resumedAfter >= epochAtKill2.get(task),
          task
              + " had epoch "
              + epochAtKill2.get(task)
              + " at the kill, resumed after "
              + resumedAfter);
    }

    // no row twice, nothing half-written, nothing temporary
    OutputTree.Table manifest = OutputTree.csv(out.resolve("preprocess/manifest.csv"));
    assertEquals(trainIds, sorted(manifest.assertUnique("manifest", "case_id")));
    assertTrue(manifest.rows().stream().allMatch(r -> manifest.get(r, "status").equals("ok")));
    assertEquals(2, OutputTree.csv(out.resolve("test/preprocess/manifest.csv")).rows().size());
    OutputTree.Table log = OutputTree.csv(out.resolve("train/log.csv"));
    log.assertUnique("train/log.csv", "variant", "pipeline", "fold", "epoch");
    assertEquals(2 * (3 + 1) + 2 * 4, log.rows().size(), "A: 3 + 1 SWA epochs, B: 4, 2 folds");
    OutputTree.Table metrics = OutputTree.csv(out.resolve("evaluate/metrics.csv"));
    metrics.assertUnique("evaluate/metrics.csv", "labelmap_set", "case_id", "region");
    assertEquals((3 * 6 + 3 * 2) * 3, metrics.rows().size(), "6 labelmap sets x cases x 3 regions");
    OutputTree.csv(out.resolve("predictions/oof-index.csv"))
        .assertUnique("oof-index.csv", "labelmap_set", "case_id");
    OutputTree.csv(out.resolve("test/predictions/test-index.csv"))
        .assertUnique("test-index.csv", "labelmap_set", "case_id");
    OutputTree.csv(out.resolve("evaluate/summary.csv"))
        .assertUnique("summary.csv", "labelmap_set", "region", "metric");
    OutputTree.assertNoTemporaries(out);
    // per task: the 2 newest epochs (keep_checkpoints) and final; B (best_validation in
    // demo.yaml) also its best
    assertEquals(2 * 3 + 2 * 4, OutputTree.assertCheckpointsVerify(out.resolve("train")));
    int nifti = assertEveryNiftiComplete(out);
    // 9 prepared files per case; 3 labelmap sets of 6 oof and 2 test cases, each labelmap with its
    // 3 uncertainty maps
    assertEquals(
        (6 + 2) * 9 + (6 * 3 + 2 * 3) * (1 + 3),
        nifti,
        "prepared files, labelmaps and their uncertainty maps");
    for (Path parquet : folders(out, ".parquet")) {
      assertTrue(Files.exists(parquet.resolve("_SUCCESS")), parquet + " was not committed");
    }

    // and exactly the outputs of the undisturbed run
    assertEquals(OutputTree.outputs(straight), OutputTree.outputs(out));
    assertEquals(
        Files.readString(straight.resolve("evaluate/metrics.csv")),
        Files.readString(out.resolve("evaluate/metrics.csv")),
        "the interrupted run scores exactly as the undisturbed one");
    System.out.printf(
        "driver kills: preprocess kill at %.1f s (%d cases complete, %d partial, temporaries"
            + " left: %s), train kill at %.1f s (complete epochs %s, final %s, temporaries left: %s);"
            + " rerun %.1f s, undisturbed run %.1f s%n",
        kill1Seconds,
        completeAtKill1.size(),
        partialAtKill1.size(),
        temporariesAtKill1,
        kill2Seconds,
        epochAtKill2,
        finalAtKill2.keySet(),
        temporariesAtKill2,
        rerunSeconds,
        straightSeconds);
  }

  /** The tiny run: demo.yaml scaled down to 24x24x16 cases, width 2, a few epochs, 1 TTA. */
  private static List<String> sets(Path train, Path test, Path out) {
    return List.of(
        "data.train=" + train,
        "data.test=" + test,
        "output=" + out,
        "folds.k=2",
        "compute.cases_per_task=1",
        "pipelines.A.epochs=3",
        "pipelines.A.network.width=2",
        "pipelines.A.patch=[16,16,16]",
        "pipelines.A.swa.cycles=1",
        "pipelines.A.swa.cycle_epochs=1",
        "pipelines.B.epochs=4",
        "pipelines.B.network.width=2",
        "pipelines.B.patch=[16,16,16]",
        "ensemble.tta=1");
  }

  /** DJL settings the test JVM has, for another JVM. */
  private static List<String> djlOptions() {
    List<String> out = new ArrayList<>(List.of("-Dai.djl.offline=true"));
    String cache = System.getProperty("DJL_CACHE_DIR");
    if (cache != null) {
      out.add("-DDJL_CACHE_DIR=" + cache);
    }
    return out;
  }

  /** {@code brats-cv cv} in its own JVM, as a user starts it, with its output in {@code log}. */
  private static Process startCv(Path config, List<String> sets, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // Spark's module flags from the surefire argLine
      if (a.startsWith("--add-opens")
          || a.startsWith("--add-modules")
          || a.startsWith("-Djdk.reflect")
          || a.startsWith("-Dio.netty")) {
        cmd.add(a);
      }
    }
    cmd.add("-Xmx1g");
    cmd.addAll(djlOptions());
    // the driver runs a local-cluster (a master and a worker in its JVM, executors in their own
    // JVMs), as a small standalone cluster would: the kills hit a driver with live executors
    Files.createDirectories(Path.of(System.getenv("SPARK_HOME")).resolve("jars"));
    cmd.add("-Dspark.master=local-cluster[1,2,1536]");
    cmd.add("-Dspark.executor.extraClassPath=" + System.getProperty("java.class.path"));
    cmd.add("-Dspark.executor.extraJavaOptions=" + String.join(" ", djlOptions()));
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "org.bratscv.jobs.cli.BratsCv",
            "cv",
            "--config",
            config.toString()));
    for (String s : sets) {
      cmd.add("--set");
      cmd.add(s);
    }
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put(Relauncher.MARKER, "1");
    return pb.start();
  }

  private static void assertExit(Process p, int expected, Path log) throws InterruptedException {
    if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      OutputTree.failWithLog("brats-cv cv did not finish in " + WAIT_SECONDS + " s", log);
    }
    if (p.exitValue() != expected) {
      OutputTree.failWithLog("brats-cv cv exited with " + p.exitValue(), log);
    }
  }

  /** Kills {@code p} (SIGKILL) the moment {@code trigger} finds something. */
  private static void killWhen(Process p, Path log, Supplier<Optional<Path>> trigger)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      if (trigger.get().isPresent()) {
        // the executor JVMs the driver's worker started: orphaned by the kill, they must stop
        // before the rerun starts (they stop once they lose the driver, or are killed here)
        List<ProcessHandle> executors =
            p.toHandle()
                .descendants()
                .filter(h -> commandLine(h).contains("CoarseGrainedExecutorBackend"))
                .toList();
        assertFalse(executors.isEmpty(), "the driver runs its tasks in local-cluster executors");
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed JVM did not exit");
        for (ProcessHandle e : executors) {
          try {
            e.onExit().get(30, TimeUnit.SECONDS);
          } catch (java.util.concurrent.TimeoutException
              | java.util.concurrent.ExecutionException ex) {
            System.out.println("executor " + e.pid() + " outlived its driver by 30 s: killed");
            e.destroyForcibly();
          }
        }
        return;
      }
      if (!p.isAlive()) {
        OutputTree.failWithLog(
            "brats-cv cv ended (exit " + p.exitValue() + ") before the point to kill it", log);
      }
      Thread.sleep(5);
    }
    p.destroyForcibly();
    OutputTree.failWithLog("the point to kill brats-cv cv never came", log);
  }

  /** How many prepared case folders hold their {@code case.json}, and how many do not (yet). */
  private static int[] completeAndPartial(Path cases) {
    int[] counts = new int[2];
    try (Stream<Path> s = Files.list(cases)) {
      for (Path c : s.toList()) {
        counts[Files.exists(c.resolve(PreparedCaseFiles.CASE_JSON)) ? 0 : 1]++;
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // not there yet, or a folder vanished while listed: look again
    }
    return counts;
  }

  /** The first file named {@code name} at most {@code depth} levels under {@code root}. */
  private static Optional<Path> anyFile(Path root, int depth, String name) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> s =
        Files.find(root, depth, (p, a) -> p.getFileName().toString().equals(name))) {
      return s.findFirst();
    } catch (IOException | java.io.UncheckedIOException e) {
      return Optional.empty(); // a folder vanished while listed: look again
    }
  }

  /**
   * Reads every NIfTI file under {@code out} whole (a short or corrupt file fails to read) and
   * checks its dims: labelmaps have the source case's dims, prepared files the brain box of their
   * {@code case.json} (the padding it records is applied when a case is loaded, not stored).
   * Returns how many were read.
   */
  private static int assertEveryNiftiComplete(Path out) throws IOException {
    NiftiReader reader = NiftiReader.withDefaults();
    FileSystem local = FileSystem.getLocal(new Configuration());
    Map<Path, Dims> prepared = new ConcurrentHashMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(out)) {
      files =
          s.filter(p -> p.toString().endsWith(".nii") || p.toString().endsWith(".nii.gz")).toList();
    }
    for (Path f : files) {
      NiftiImage image = reader.read(f);
      Dims expected;
      if (f.getParent().getParent().getFileName().toString().equals("cases")) {
        expected =
            prepared.computeIfAbsent(
                f.getParent(),
                d -> {
                  try {
                    CaseRecord r =
                        PreparedCaseFiles.readRecord(
                            local, new org.apache.hadoop.fs.Path(d.toUri()));
                    int[] b = r.box();
                    return new Dims(b[3] - b[0], b[4] - b[1], b[5] - b[2]);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
      } else {
        expected = CASE_DIMS;
      }
      assertEquals(expected, image.header().spatialDims(), f.toString());
    }
    return files.size();
  }

  private static List<Path> folders(Path root, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isDirectory).filter(p -> p.toString().endsWith(suffix)).toList();
    }
  }

  private static List<String> sorted(List<List<String>> keys) {
    TreeSet<String> s = new TreeSet<>();
    keys.forEach(k -> s.add(k.get(0)));
    return new ArrayList<>(s);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
