package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.report.RunReport;
import org.bratscv.jobs.spark.SparkSessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole cross-validation on a few tiny synthetic cases in local[2], run twice. */
class CrossValidationTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("cv-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void fullRunWritesEveryOutputAndARerunRedoesNothing() throws IOException {
    Path train = dir.resolve("train");
    Path test = dir.resolve("test");
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 5);
    new PhantomArchive(gen, "Training", 1, true).write(train, 5, id -> {});
    new PhantomArchive(gen, "Validation", 100, true).write(test, 2, id -> {});
    // one broken case among the good ones: its FLAIR is cut short
    Path flair = train.resolve("BraTS20_Training_005/BraTS20_Training_005_flair.nii.gz");
    byte[] bytes = Files.readAllBytes(flair);
    Files.write(flair, java.util.Arrays.copyOf(bytes, 200));

    RunConfig c =
        RunConfig.of(
            ConfigTree.empty()
                .withAll(
                    List.of(
                        "data.train=" + train,
                        "data.test=" + test,
                        "output=" + dir.resolve("out"),
                        "folds.k=2",
                        "pipelines.A.epochs=1",
                        "pipelines.A.validate_every=1",
                        "pipelines.A.network.width=2",
                        "pipelines.A.patch=[16,16,16]",
                        "pipelines.A.swa.cycles=1",
                        "pipelines.A.swa.cycle_epochs=1",
                        "pipelines.A.swa.snapshot_every=1",
                        "pipelines.B.epochs=1",
                        "pipelines.B.validate_every=1",
                        "pipelines.B.batch=1",
                        "pipelines.B.network.width=2",
                        "pipelines.B.patch=[16,16,16]")));
    CrossValidation.Outcome o = new CrossValidation(spark, c).all();

    assertEquals(
        List.of("BraTS20_Training_005"),
        o.failedCases().stream().map(CaseManifestRow::getCaseId).toList());
    assertTrue(
        o.failedCases().get(0).getReason().contains("flair"), o.failedCases().get(0).getReason());
    assertEquals(List.of(), o.failedModels());
    assertEquals(List.of(), o.failedPredictions());
    assertFalse(o.clean(), "a failed case makes the run unclean (exit code 3)");

    Path out = dir.resolve("out");
    assertTrue(Files.exists(out.resolve("config.yaml")));
    assertTrue(Files.exists(out.resolve("folds.json")));
    assertEquals(1 + 5, Files.readAllLines(out.resolve("preprocess/manifest.csv")).size());
    assertEquals(1 + 4, Files.readAllLines(out.resolve("train/models.csv")).size());
    for (String set : List.of("oof-A", "oof-B", "oof-merged")) {
      assertEquals(4, list(out.resolve("predictions").resolve(set)).size(), set);
    }
    for (String set : List.of("test-A", "test-B", "test-merged")) {
      assertEquals(2, list(out.resolve("test/predictions").resolve(set)).size(), set);
    }
    // a labelmap sits exactly on its case's T1 (same dims and affine)
    NiftiReader reader = NiftiReader.withDefaults();
    NiftiHeader label =
        reader.readHeader(
            out.resolve("test/predictions/test-merged/BraTS20_Validation_100.nii.gz"));
    NiftiHeader t1 =
        reader.readHeader(test.resolve("BraTS20_Validation_100/BraTS20_Validation_100_t1.nii.gz"));
    assertEquals(t1.spatialDims(), label.spatialDims());
    assertEquals(t1.affine(), label.affine());
    // every labelmap has its three uncertainty maps on the same header, listed by the index
    for (String set : List.of("oof-A", "oof-B", "oof-merged")) {
      assertEquals(
          4 * 3, list(out.resolve("predictions").resolve(set).resolve("uncertainty")).size());
    }
    for (String set : List.of("test-A", "test-B", "test-merged")) {
      assertEquals(
          2 * 3, list(out.resolve("test/predictions").resolve(set).resolve("uncertainty")).size());
    }
    NiftiHeader unc =
        reader.readHeader(
            out.resolve(
                "test/predictions/test-merged/uncertainty/BraTS20_Validation_100_unc_whole.nii.gz"));
    assertEquals(label.affine(), unc.affine());
    assertEquals(label.qformCode(), unc.qformCode());
    assertEquals(label.sformCode(), unc.sformCode());
    assertEquals(org.bratscv.data.nifti.NiftiDataType.UINT8, unc.dataType());
    List<String> index = Files.readAllLines(out.resolve("predictions/oof-index.csv"));
    assertTrue(index.get(0).endsWith(",uncertainty"), index.get(0));
    assertTrue(index.get(1).contains("/predictions/oof-A/uncertainty"), index.get(1));
    // and evaluate scores them: 18 labelmaps x 3 regions
    List<String> uncertainty = Files.readAllLines(out.resolve("evaluate/uncertainty.csv"));
    assertEquals(1 + (3 * 4 + 3 * 2) * 3, uncertainty.size());

    // 6 labelmap sets (3 oof x 4 cases, 3 test x 2 cases) x 3 regions
    List<String> metrics = Files.readAllLines(out.resolve("evaluate/metrics.csv"));
    assertEquals(1 + (3 * 4 + 3 * 2) * 3, metrics.size());
    assertEquals(metrics.size(), new HashSet<>(metrics).size(), "no duplicate metric rows");
    assertEquals(1 + 6 * 3 * 4, Files.readAllLines(out.resolve("evaluate/summary.csv")).size());
    assertTrue(Files.readString(out.resolve("evaluate/summary.md")).contains("| test-merged |"));

    // the report reads what the stages really wrote: every part of it is there
    RunReport.write(spark.sparkContext().hadoopConfiguration(), new OutputRoot(out.toString()));
    String page = Files.readString(out.resolve("report/index.html"));
    assertFalse(page.contains("not available"), page);
    assertTrue(page.contains("src=\"img/case-best-"), page);
    assertTrue(page.contains("src=\"img/loss-A.png\""), page);
    assertTrue(page.contains("evaluate/uncertainty.csv"), "the uncertainty scores are shown");

    Map<Path, Long> before = modified(out);
    CrossValidation.Outcome again = new CrossValidation(spark, c).all();
    assertEquals(o.failedCases().size(), again.failedCases().size());
    for (Map.Entry<Path, Long> e : before.entrySet()) {
      String name = e.getKey().toString();
      if (name.endsWith(".nii.gz")
          || name.endsWith(".nii")
          || name.contains("/train/baseline/")
          || name.endsWith("folds.json")) {
        assertEquals(e.getValue(), modified(out).get(e.getKey()), "rewritten: " + name);
      }
    }
    assertEquals(metrics, Files.readAllLines(out.resolve("evaluate/metrics.csv")));
    assertEquals(1 + 5, Files.readAllLines(out.resolve("preprocess/manifest.csv")).size());
    try (Stream<Path> all = Files.walk(out)) {
      assertEquals(
          List.of(),
          all.filter(p -> p.getFileName().toString().startsWith("_tmp.")).toList(),
          "no temporary file remains");
    }
  }

  private static List<Path> list(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.toString().endsWith(".nii.gz")).toList();
    }
  }

  private static Map<Path, Long> modified(Path root) throws IOException {
    Map<Path, Long> m = new HashMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(p, Files.getLastModifiedTime(p).toMillis());
      }
    }
    return m;
  }
}
