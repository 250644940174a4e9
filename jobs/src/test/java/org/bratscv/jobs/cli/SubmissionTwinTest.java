package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.folds.FoldSplitJson;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.Csv;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.sweep.SelectedEnsemble;
import org.bratscv.model.infer.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo-sized twin of the paper's submission (conf/demo-submission.yaml) through the command
 * line, as README's "Submission recipe" runs it: three pipeline A variants and pipeline B on 2
 * folds, the best two A models per fold by validation Dice (checked against an expectation computed
 * here from the variants' out-of-fold metrics), both B models, the two-pass merge on the test
 * archive; then {@code segment --models <sweep root>} (and a cv run's test inference with {@code
 * ensemble.models: <sweep root>}) with the selected ensemble, and the reruns a changed selection
 * causes.
 */
class SubmissionTwinTest {
  private static final Path CONF = Path.of("..", "conf");
  private static final List<String> A_VARIANTS = List.of("unet", "patient-removal", "attention");

  @TempDir Path dir;

  @Test
  void theTwinSelectsTheBestTwoAModelsPerFoldAndSegmentWithTheSweepRootUsesThem()
      throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String sweepLine =
        "java -jar jobs/target/brats-cv.jar sweep --config conf/demo-submission.yaml";
    String segmentLine =
        "java -jar jobs/target/brats-cv.jar segment --models demo-out/submission/latest \\\n"
            + "    --input demo-out/archive/test --output demo-out/segment-submission";
    assertTrue(readme.contains(sweepLine), "README shows the twin's sweep command");
    assertTrue(readme.contains(segmentLine), "README shows segment with the sweep root");

    Path train = dir.resolve("archive/train");
    Path test = dir.resolve("archive/test");
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 7);
    new PhantomArchive(gen, "Training", 1, true).write(train, 6, id -> {});
    new PhantomArchive(gen, "Validation", 1000, true).write(test, 2, id -> {});
    Path out = dir.resolve("submission");
    // README's command, with the archive and output of this test
    String[] sweep = {
      "sweep",
      "--config",
      CONF.resolve("demo-submission.yaml").toString(),
      "--set",
      "data.train=" + train,
      "--set",
      "data.test=" + test,
      "--output",
      out.toString(),
      "--run-id",
      "twin"
    };
    CliRun r = CliRun.of(sweep);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    Path root = out.resolve("twin");

    // the expectation, from the variants' out-of-fold metrics and the split
    FoldSplit split;
    try (InputStream in = Files.newInputStream(root.resolve("folds.json"))) {
      split = FoldSplitJson.read(in, "folds.json");
    }
    Map<String, Double> expected = new HashMap<>(); // variant/pipeline/fold -> validation Dice
    for (String v : List.of("unet", "patient-removal", "attention", "pipeline-b")) {
      String pipeline = v.equals("pipeline-b") ? "B" : "A";
      List<String[]> metrics =
          Csv.parse(Files.readString(root.resolve("variants/" + v + "/evaluate/metrics.csv")));
      List<String> h = List.of(metrics.get(0));
      for (int fold = 0; fold < 2; fold++) {
        Set<String> cases = new TreeSet<>(split.fold(fold).val());
        double total = 0;
        for (String region : List.of("ET", "TC", "WT")) {
          double sum = 0;
          int n = 0;
          for (String[] m : metrics.subList(1, metrics.size())) {
            if (m[h.indexOf("labelmap_set")].equals("oof-" + pipeline)
                && cases.contains(m[h.indexOf("case_id")])
                && m[h.indexOf("region")].equals(region)
                && !m[h.indexOf("dice")].isEmpty()) {
              sum += Double.parseDouble(m[h.indexOf("dice")]);
              n++;
            }
          }
          assertEquals(cases.size(), n, v + " fold " + fold + " " + region);
          total += sum / n;
        }
        expected.put(v + "/" + pipeline + "/" + fold, total / 3);
      }
    }

    List<String[]> selection = Csv.parse(Files.readString(root.resolve("ensemble.csv")));
    List<String> h = List.of(selection.get(0));
    assertEquals(
        List.of(
            "variant",
            "pipeline",
            "fold",
            "dice_et",
            "dice_tc",
            "dice_wt",
            "validation_dice",
            "cases",
            "rank",
            "selected",
            "rule",
            "fingerprint"),
        h);
    assertEquals(1 + 3 * 2 + 2, selection.size(), "3 A candidates per fold, 2 B models");
    StringBuilder table = new StringBuilder();
    Map<Integer, Set<String>> selectedA = new HashMap<>();
    Set<String> selectedB = new TreeSet<>();
    for (String[] row : selection.subList(1, selection.size())) {
      String v = row[h.indexOf("variant")];
      String p = row[h.indexOf("pipeline")];
      int fold = Integer.parseInt(row[h.indexOf("fold")]);
      double score = Double.parseDouble(row[h.indexOf("validation_dice")]);
      assertEquals(expected.get(v + "/" + p + "/" + fold), score, 1e-6, v + "/" + p + "/" + fold);
      assertEquals("3", row[h.indexOf("cases")]);
      if (Boolean.parseBoolean(row[h.indexOf("selected")])) {
        (p.equals("A") ? selectedA.computeIfAbsent(fold, k -> new TreeSet<>()) : selectedB)
            .add(p.equals("A") ? v : v + "/" + fold);
      }
      table.append(String.join(",", row)).append('\n');
    }
    System.out.println("submission twin ensemble.csv:\n" + table);
    // a fold where the rule must rank three different scores (patient removal may leave one fold's
    // training set, so its model, as it was: then that fold ties and `from`'s order decides)
    assertTrue(
        List.of(0, 1).stream()
            .anyMatch(
                f ->
                    A_VARIANTS.stream().map(v -> expected.get(v + "/A/" + f)).distinct().count()
                        == 3),
        expected.toString());
    for (int fold = 0; fold < 2; fold++) {
      // the best two of the three A models of the fold; ties keep the order of `from`
      List<String> ranked = new ArrayList<>(A_VARIANTS);
      int f = fold;
      ranked.sort(
          (a, b) -> Double.compare(expected.get(b + "/A/" + f), expected.get(a + "/A/" + f)));
      assertEquals(
          new TreeSet<>(ranked.subList(0, 2)), selectedA.get(fold), "fold " + fold + " " + ranked);
    }
    assertEquals(Set.of("pipeline-b/0", "pipeline-b/1"), selectedB);

    // the selected ensemble segmented the test archive: per pipeline and merged, scored
    Path predictions = root.resolve("ensemble/test/predictions");
    for (String set : List.of("test-A", "test-B", "test-merged")) {
      try (Stream<Path> files = Files.list(predictions.resolve(set))) {
        assertEquals(2, files.filter(SubmissionTwinTest::isNifti).count(), set);
      }
    }
    List<String[]> testMetrics =
        Csv.parse(Files.readString(root.resolve("ensemble/evaluate/metrics.csv")));
    assertEquals(1 + 3 * 2 * 3, testMetrics.size(), "3 sets x 2 cases x 3 regions");
    System.out.println(
        "submission twin test summary:\n"
            + Files.readString(root.resolve("ensemble/evaluate/summary.csv")));
    // the selected ensemble labels as the baseline's ensemble section says (demo.yaml's brain
    // mask, the twin's single augmentation), with the selection's merge
    assertEquals(
        new Labeling(1, 0.5, List.of("A", "B"), Precision.FP32, true),
        SelectedEnsemble.load(new Configuration(), root.toString()).labeling(),
        Files.readString(root.resolve("ensemble/config.yaml")));
    // no variant segmented the test archive itself
    assertTrue(Files.notExists(root.resolve("variants/unet/test/predictions")));
    assertTrue(
        Files.readString(root.resolve("report/report.md")).contains("Selected ensemble"),
        "the report shows the selection");
    assertTrue(
        Files.readString(root.resolve("provenance.json"))
            .contains("predictions ensemble test settings"),
        "provenance names what made the ensemble's labelmaps");

    // README's segment command with the sweep root: the selected ensemble, the same labelmaps
    Path segmentOut = dir.resolve("segment-submission");
    String[] segment = {
      "segment",
      "--models",
      out.resolve("latest").toString(),
      "--input",
      test.toString(),
      "--output",
      segmentOut.toString()
    };
    CliRun s = CliRun.of(segment);
    assertEquals(0, s.exitCode(), s.out() + s.err());
    assertTrue(s.err().contains("variant selected"), s.err());
    NiftiReader reader = NiftiReader.withDefaults();
    try (Stream<Path> files = Files.list(predictions.resolve("test-merged"))) {
      for (Path p : files.filter(SubmissionTwinTest::isNifti).toList()) {
        NiftiImage sweepLabels = reader.read(p);
        NiftiImage segmentLabels =
            reader.read(segmentOut.resolve("labelmaps").resolve(p.getFileName()));
        assertArrayEquals(sweepLabels.data(), segmentLabels.data(), p.getFileName().toString());
      }
    }

    // a cv run's test inference with ensemble.models = the sweep root: the selected ensemble with
    // its own settings (the run's ensemble section sets none), the same labelmaps
    Path cvOut = dir.resolve("cv-with-selection");
    RunConfig c =
        RunConfig.of(
            ConfigTree.empty()
                .withAll(
                    List.of(
                        "data.train=" + train,
                        "data.test=" + test,
                        "output=" + cvOut,
                        "pipelines.A.epochs=1",
                        "pipelines.B.epochs=1",
                        "ensemble.models=" + out.resolve("latest"))));
    SparkSession spark =
        SparkSessions.getOrCreate("submission-twin-cv", Map.of("spark.master", "local[2]"));
    try {
      assertTrue(
          Runs.crossValidation(spark, c).inferTest().stream().allMatch(x -> x.ok()),
          "test inference with the sweep root");
    } finally {
      spark.stop();
    }
    try (Stream<Path> files = Files.list(predictions.resolve("test-merged"))) {
      for (Path p : files.filter(SubmissionTwinTest::isNifti).toList()) {
        assertArrayEquals(
            reader.read(p).data(),
            reader
                .read(cvOut.resolve("test/predictions/test-merged").resolve(p.getFileName()))
                .data(),
            "cv with ensemble.models: " + p.getFileName());
      }
    }

    // the same sweep again: nothing is predicted again
    Map<Path, Long> before = modified(predictions);
    assertEquals(0, CliRun.of(sweep).exitCode());
    assertEquals(before, modified(predictions), "an unchanged selection keeps its labelmaps");

    // another selection (the best one per fold): the test labelmaps are made again, no model
    // trains again, and segment refuses to mix it into the folder the old selection made
    Path changed = dir.resolve("one-per-fold.yaml");
    Files.writeString(
        changed,
        Files.readString(CONF.resolve("demo-submission.yaml"))
            .replace("base: demo.yaml", "base: " + CONF.resolve("demo.yaml").toAbsolutePath())
            .replace("per_fold: 2", "per_fold: 1"));
    Map<Path, Long> models = modified(root.resolve("train"));
    String[] again = sweep.clone();
    again[2] = changed.toString();
    CliRun r2 = CliRun.of(again);
    assertEquals(0, r2.exitCode(), r2.out() + r2.err());
    assertEquals(models, modified(root.resolve("train")), "no model trained again");
    Map<Path, Long> after = modified(predictions);
    for (Map.Entry<Path, Long> e : before.entrySet()) {
      if (e.getKey().toString().endsWith(".nii.gz")) {
        assertNotEquals(e.getValue(), after.get(e.getKey()), "kept stale: " + e.getKey());
      }
    }
    long selectedNow =
        Csv.parse(Files.readString(root.resolve("ensemble.csv"))).stream()
            .filter(x -> x[h.indexOf("selected")].equals("true"))
            .count();
    assertEquals(2 + 2, selectedNow, "one A model per fold and both B models");
    CliRun stale = CliRun.of(segment);
    assertNotEquals(0, stale.exitCode(), "a new selection does not extend the old one's folder");
    assertTrue((stale.out() + stale.err()).contains("selection"), stale.out() + stale.err());
  }

  private static boolean isNifti(Path p) {
    String name = p.getFileName().toString();
    return name.endsWith(".nii.gz") && !name.startsWith(".");
  }

  /** When each NIfTI file and checkpoint under {@code root} was last written. */
  private static Map<Path, Long> modified(Path root) throws IOException {
    Map<Path, Long> m = new HashMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p :
          s.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".nii.gz") || p.toString().endsWith(".bin"))
              .toList()) {
        m.put(p, Files.getLastModifiedTime(p).toMillis());
      }
    }
    return m;
  }
}
