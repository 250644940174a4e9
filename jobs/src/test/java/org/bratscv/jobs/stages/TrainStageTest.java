package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.folds.Fold;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.spark.SparkSessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class TrainStageTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("train-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /**
   * A tiny pipeline A (2 main epochs, 1 SWA cycle of 2) and B, width 2, 16^3 patches, plus {@code
   * more} settings.
   */
  public static RunConfig tinyConfig(Path archive, Path out, String... more) {
    List<String> settings =
        new ArrayList<>(
            List.of(
                "data.train=" + archive,
                "output=" + out,
                "folds.k=2",
                "pipelines.A.epochs=2",
                "pipelines.A.network.width=2",
                "pipelines.A.patch=[16,16,16]",
                "pipelines.A.validate_every=1",
                "pipelines.A.swa.cycles=1",
                "pipelines.A.swa.cycle_epochs=2",
                "pipelines.A.swa.snapshot_every=1",
                "pipelines.B.epochs=2",
                "pipelines.B.batch=1",
                "pipelines.B.network.width=2",
                "pipelines.B.patch=[16,16,16]",
                "pipelines.B.validate_every=1"));
    settings.addAll(List.of(more));
    return RunConfig.of(ConfigTree.empty().withAll(settings));
  }

  @Test
  void aWarmUpChangesTheModelFingerprintAndNoWarmUpLeavesItAsItWas() {
    FoldSplit split = twoFolds();
    TrainStage.Task b0 = new TrainStage.Task("baseline", "B", 0);
    Path archive = dir.resolve("archive");
    Path out = dir.resolve("out");
    RunConfig plain = tinyConfig(archive, out);
    RunConfig zero = tinyConfig(archive, out, "pipelines.B.schedule.warmup_epochs=0");
    RunConfig warm = tinyConfig(archive, out, "pipelines.B.schedule.warmup_epochs=1");
    Fingerprint f = fingerprint(plain, split, b0);
    assertEquals(f, fingerprint(zero, split, b0));
    assertFalse(f.parts().get("training").contains("warmup"), f.parts().get("training"));
    Fingerprint w = fingerprint(warm, split, b0);
    assertTrue(w.parts().get("training").contains("warmupEpochs=1"), w.parts().get("training"));
    assertNotEquals(f.hash(), w.hash());
    TrainStage.Task a0 = new TrainStage.Task("baseline", "A", 0);
    assertEquals(fingerprint(plain, split, a0), fingerprint(warm, split, a0), "only B warms up");
  }

  @Test
  void aPerSampleDiceChangesTheModelFingerprintAndTheBatchWiseOneLeavesItAsItWas() {
    assertALaterSettingCountsOnlyAwayFromItsDefault(
        "B", "loss_reduction", "batch", "sample", "Reduction");
  }

  @Test
  void anOutputPriorFittedOnTheFirstBatchChangesTheModelFingerprintAndTheBiasFitDoesNot() {
    assertALaterSettingCountsOnlyAwayFromItsDefault(
        "A",
        "output_prior_fit",
        "bias",
        "first_batch",
        "PriorFit",
        "pipelines.A.output_prior=0.05");
  }

  /**
   * A training setting added after fingerprints existed: at its default the model fingerprint is
   * the one without it (nothing of it in the training text), at another value it is an ingredient
   * of its own and changes the hash.
   */
  private void assertALaterSettingCountsOnlyAwayFromItsDefault(
      String pipeline,
      String key,
      String byDefault,
      String other,
      String typeName,
      String... base) {
    FoldSplit split = twoFolds();
    TrainStage.Task task = new TrainStage.Task("baseline", pipeline, 0);
    Path archive = dir.resolve("archive");
    Path out = dir.resolve("out");
    String setting = "pipelines." + pipeline + "." + key + "=";
    Fingerprint plain = fingerprint(tinyConfig(archive, out, base), split, task);
    Fingerprint atDefault = fingerprint(with(archive, out, base, setting + byDefault), split, task);
    Fingerprint changed = fingerprint(with(archive, out, base, setting + other), split, task);
    assertEquals(plain, atDefault);
    assertFalse(plain.parts().containsKey(key), plain.parts().toString());
    assertFalse(plain.parts().get("training").contains(typeName), plain.parts().get("training"));
    assertEquals(other.toUpperCase(java.util.Locale.ROOT), changed.parts().get(key));
    assertNotEquals(plain.hash(), changed.hash());
  }

  @Test
  void sparkStartsTheTasksWithTheMostWorkFirstAndKeepsTheGivenOrderAmongEquals() {
    FoldSplit split = twoFolds();
    Path archive = dir.resolve("archive");
    Path out = dir.resolve("out");
    TrainStage.Task a0 = new TrainStage.Task("baseline", "A", 0);
    TrainStage.Task a1 = new TrainStage.Task("baseline", "A", 1);
    TrainStage.Task b0 = new TrainStage.Task("baseline", "B", 0);
    TrainStage.Task b1 = new TrainStage.Task("baseline", "B", 1);
    List<TrainStage.Task> given = List.of(a0, a1, b0, b1);
    // A: 2 + 2 SWA epochs, B: 2; equal patches and widths
    assertEquals(given, TrainStage.longestFirst(settings(tinyConfig(archive, out), split), given));
    // B's 5 epochs outweigh A's 4
    TrainStage.Settings longerB = settings(tinyConfig(archive, out, "pipelines.B.epochs=5"), split);
    assertEquals(List.of(b0, b1, a0, a1), TrainStage.longestFirst(longerB, given));
    assertEquals(
        5.0 / 4,
        TrainStage.estimatedWork(longerB, b0) / TrainStage.estimatedWork(longerB, a0),
        1e-12);
    // B at 4 epochs like A, at twice the width: four times the work
    TrainStage.Settings widerB =
        settings(
            tinyConfig(archive, out, "pipelines.B.epochs=4", "pipelines.B.network.width=4"), split);
    assertEquals(
        4.0, TrainStage.estimatedWork(widerB, b1) / TrainStage.estimatedWork(widerB, a1), 1e-12);
    // a smaller patch for B: 16^3 against 16x16x8, half the work
    TrainStage.Settings flatB =
        settings(
            tinyConfig(archive, out, "pipelines.B.epochs=4", "pipelines.B.patch=[16,16,8]"), split);
    assertEquals(List.of(a1, a0, b1, b0), TrainStage.longestFirst(flatB, List.of(b1, a1, b0, a0)));
  }

  private static TrainStage.Settings settings(RunConfig c, FoldSplit split) {
    return new TrainStage.Settings(
        new OutputRoot(c.output()), Map.of("baseline", c.pipelines()), split, c.compute());
  }

  private static TrainStage.Task task(ModelRow m) {
    return new TrainStage.Task(m.getVariant(), m.getPipeline(), m.getFold());
  }

  private static RunConfig with(Path archive, Path out, String[] base, String setting) {
    String[] all = java.util.Arrays.copyOf(base, base.length + 1);
    all[base.length] = setting;
    return tinyConfig(archive, out, all);
  }

  private static FoldSplit twoFolds() {
    return new FoldSplit(
        7L,
        2,
        List.of(
            new Fold(0, List.of("c1", "c2"), List.of("c3", "c4")),
            new Fold(1, List.of("c3", "c4"), List.of("c1", "c2"))));
  }

  private static Fingerprint fingerprint(RunConfig c, FoldSplit split, TrainStage.Task t) {
    return TrainStage.modelFingerprint(settings(c, split), t);
  }

  @Test
  void eachPipelineAndFoldTrainsOnceAndARerunSkipsFinishedModels() throws IOException {
    Path archive = dir.resolve("archive");
    new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 3), "Training", 1, true)
        .write(archive, 4, id -> {});
    // B's 5 epochs outweigh A's 2 + 2 SWA: Spark starts B's tasks first
    RunConfig c = tinyConfig(archive, dir.resolve("out"), "pipelines.B.epochs=5");
    OutputRoot out = new OutputRoot(c.output());
    PreprocessStage.Result pre =
        new PreprocessStage()
            .run(
                spark,
                new PreprocessStage.Settings(
                    archive.toString(),
                    out,
                    EnumSet.of(Normalization.A, Normalization.B),
                    null,
                    2,
                    1L << 30));
    FoldSplit split =
        new FoldsStage()
            .run(
                new Configuration(),
                new FoldsStage.Settings(out, 2, c.seed(), null),
                pre.ok().stream().map(CaseManifestRow::getCaseId).toList());
    TrainStage.Settings s =
        new TrainStage.Settings(out, Map.of("baseline", c.pipelines()), split, c.compute());
    List<TrainStage.Task> tasks = TrainStage.allTasks(s);
    assertEquals(4, tasks.size());

    TrainStage.Result r = new TrainStage().run(spark, s, tasks);
    assertEquals(
        List.of(), r.failed(), "failed: " + r.failed().stream().map(ModelRow::getReason).toList());
    assertEquals(4, r.models().size());
    // A: 2 main + 2 SWA epochs; B: 5 epochs; per fold
    assertEquals(2 * 4 + 2 * 5, r.log().size());
    Map<String, java.nio.file.attribute.FileTime> finished = new java.util.HashMap<>();
    for (ModelRow m : r.models()) {
      assertEquals("cpu", m.getDevice());
      Path manifest = Path.of(m.getCheckpoint(), "manifest.json");
      assertTrue(Files.exists(manifest), m.getCheckpoint());
      finished.put(m.getPipeline() + m.getFold(), Files.getLastModifiedTime(manifest));
    }
    // two slots, B's two tasks first: A's finished after both of B's (in the given order, A's
    // 4 epochs would have ended before B's 5 began)
    for (String a : List.of("A0", "A1")) {
      for (String b : List.of("B0", "B1")) {
        assertTrue(finished.get(a).compareTo(finished.get(b)) > 0, a + " after " + b + finished);
      }
    }
    assertTrue(r.log().stream().allMatch(e -> e.getValidationLoss() != null));
    assertEquals(1 + 18, Files.readAllLines(dir.resolve("out/train/log.csv")).size());
    assertEquals(1 + 4, Files.readAllLines(dir.resolve("out/train/models.csv")).size());
    // the manifest keeps the order the tasks were given in
    assertEquals(tasks, r.models().stream().map(TrainStageTest::task).toList());

    List<TrainStage.Task> reversed = new ArrayList<>(tasks);
    java.util.Collections.reverse(reversed);
    TrainStage.Result again = new TrainStage().run(spark, s, reversed);
    assertEquals(reversed, again.models().stream().map(TrainStageTest::task).toList());
    assertEquals(18, again.log().size());
    for (ModelRow m : again.models()) {
      assertEquals(m.getEpochs() - 1, m.getResumedAfter(), "skipped: " + m.getPipeline());
    }
    assertEquals(1 + 18, Files.readAllLines(dir.resolve("out/train/log.csv")).size());
  }
}
