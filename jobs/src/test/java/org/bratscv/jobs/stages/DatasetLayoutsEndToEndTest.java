package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.ViewerColourTables;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.StaleOutputs;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.model.infer.Precision;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cross-validation and a bulk segmentation on a tiny Medical Segmentation Decathlon tree (one 4-D
 * image per case, labels 1 edema, 2 non-enhancing tumor, 3 enhancing tumor): bad cases become error
 * rows, labelmaps come out in the Decathlon's own label values, and each labelmap folder gets its
 * viewer colour tables.
 */
class DatasetLayoutsEndToEndTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("layouts-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aDecathlonTreeIsCrossValidatedAndSegmentedInItsOwnLabels() throws IOException {
    Path task = DatasetTrees.decathlon(dir.resolve("Task01_BrainTumour"));
    RunConfig c = TrainStageTest.tinyConfig(task, dir.resolve("run"));
    CrossValidation cv = new CrossValidation(spark, c);
    cv.saveConfig();

    PreprocessStage.Result pre = cv.preprocess();

    assertEquals(
        List.of("BRATS_001", "BRATS_002", "BRATS_003", "BRATS_004", "BRATS_485"),
        pre.ok().stream().map(CaseManifestRow::getCaseId).toList());
    assertEquals(2, pre.errors().size());
    CaseManifestRow channels = pre.errors().get(0);
    assertEquals("BRATS_005", channels.getCaseId());
    assertEquals("msd", channels.getLayout());
    assertTrue(
        channels
            .getReason()
            .contains("BRATS_005.nii.gz: holds 3 volume(s) (shape [24, 24, 16, 3])"),
        channels.getReason());
    CaseManifestRow shape = pre.errors().get(1);
    assertEquals("BRATS_006", shape.getCaseId());
    assertTrue(shape.getReason().contains("BRATS_006.nii.gz"), shape.getReason());
    assertTrue(shape.getReason().contains("20"), shape.getReason());

    cv.folds();
    assertTrue(cv.train().failed().isEmpty());
    List<InferStage.Prediction> oof = cv.inferOutOfFold();
    assertEquals(4 * 3, oof.stream().filter(InferStage.Prediction::ok).count());
    Path merged = dir.resolve("run/predictions/oof-merged");
    for (String id : List.of("BRATS_001", "BRATS_002", "BRATS_003", "BRATS_004")) {
      Set<Integer> values = DatasetTrees.labelValues(merged.resolve(id + ".nii.gz"));
      assertTrue(Set.of(0, 1, 2, 3).containsAll(values), id + ": " + values);
    }
    String ctbl = Files.readString(merged.resolve("labels.ctbl"));
    assertEquals(ViewerColourTables.slicer(LabelScheme.MSD), ctbl);
    assertTrue(ctbl.contains("\n1 edema 255 255 0 255\n"), ctbl);
    assertTrue(ctbl.contains("\n3 enhancing_tumour 255 0 0 255\n"), ctbl);
    assertTrue(
        Files.readString(merged.resolve("labels.itksnap.txt"))
            .contains("    2     0  255    0        1  1  1    \"non-enhancing tumor\"\n"));
    EvaluateStage.Result scores = cv.evaluate(oof);
    assertTrue(scores.errors().isEmpty(), scores.errors().toString());
    // the report's case pictures read T1Gd out of the 4-D images
    org.bratscv.jobs.report.RunReport.write(
        spark.sparkContext().hadoopConfiguration(), new OutputRoot(dir.resolve("run").toString()));
    String page = Files.readString(dir.resolve("run/report/report.md"));
    assertTrue(!page.contains("not available"), page);
    try (var img = Files.list(dir.resolve("run/report/img"))) {
      assertTrue(img.anyMatch(f -> f.getFileName().toString().startsWith("case-")));
    }

    TrainedEnsemble e =
        TrainedEnsemble.load(
            spark.sparkContext().hadoopConfiguration(), dir.resolve("run").toString(), null);
    Path out = dir.resolve("seg");
    SegmentStage.Result seg =
        new SegmentStage()
            .run(
                spark,
                new SegmentStage.Settings(
                    task.toString(),
                    new OutputRoot(out.toString()),
                    e.members(),
                    null,
                    new Labeling(1, 0.5, e.labeling().merge(), Precision.FP32, false),
                    false,
                    false,
                    2,
                    1,
                    0.25,
                    Integer.MAX_VALUE - 8L,
                    StaleOutputs.STOP,
                    ""));
    // segment reads no labels: only the three-sequence case fails
    assertEquals(6, seg.count("ok"));
    assertEquals(
        List.of("BRATS_005"), seg.errors().stream().map(SegmentStage.Row::caseId).toList());
    Set<Integer> test = DatasetTrees.labelValues(out.resolve("labelmaps/BRATS_485.nii.gz"));
    assertTrue(Set.of(0, 1, 2, 3).containsAll(test), test.toString());
    assertEquals(ctbl, Files.readString(out.resolve("labelmaps/labels.ctbl")));
  }
}
