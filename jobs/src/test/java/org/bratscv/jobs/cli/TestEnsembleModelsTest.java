package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.run.CaseFingerprints;
import org.bratscv.jobs.run.Provenance;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.InferStage;
import org.junit.jupiter.api.Test;

/**
 * {@code ensemble.models}: a cv run segments {@code data.test} with another ensemble (here a model
 * package zip of a first run) and the test labelmaps are that ensemble's, voxel for voxel; the
 * source is a fingerprint ingredient of the test labelmaps and recorded in provenance.json.
 */
class TestEnsembleModelsTest {

  private static List<String> tinyRun(Path data, Path output) {
    return new ArrayList<>(
        List.of(
            "data.train=" + data.resolve("train"),
            "data.test=" + data.resolve("test"),
            "output=" + output,
            "folds.k=2",
            "pipelines.A.epochs=1",
            "pipelines.A.network.width=6",
            "pipelines.A.network.norm=group",
            "pipelines.A.network.deep_supervision=false",
            "pipelines.A.patch=[16,16,16]",
            "pipelines.A.swa.enabled=false",
            "pipelines.A.final_weights=last",
            "pipelines.B.epochs=1",
            "pipelines.B.batch=1",
            "pipelines.B.network.width=6",
            "pipelines.B.network.norm=instance",
            "pipelines.B.network.deep_supervision=false",
            "pipelines.B.patch=[16,16,16]",
            "ensemble.tta=1"));
  }

  private static RunConfig config(List<String> settings) {
    return RunConfig.of(ConfigTree.empty().withAll(settings));
  }

  private static List<Path> merged(Path run) throws IOException {
    try (Stream<Path> s = Files.list(run.resolve("test/predictions/test-merged"))) {
      // labelmaps only: the local file system's hidden .crc files and uncertainty/ are left out
      return s.filter(p -> p.getFileName().toString().endsWith(".nii.gz")).sorted().toList();
    }
  }

  private static Map<String, String> testFingerprints(FileSystem fs, Path run) throws IOException {
    RunFolder f = new RunFolder(run.toString()).test();
    return CaseFingerprints.read(fs, f.predictionFingerprints("test")).cases();
  }

  @Test
  void cvSegmentsTheTestArchiveWithTheModelPackageOfEnsembleModelsAsTheFirstRunDid()
      throws Exception {
    Path root = Files.createTempDirectory("test-ensemble-models");
    Path data = root.resolve("archive");
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 3);
    new PhantomArchive(gen, "Training", 1, true).write(data.resolve("train"), 4, id -> {});
    new PhantomArchive(gen, "Validation", 20, true).write(data.resolve("test"), 2, id -> {});
    Path first = root.resolve("first");
    Path second = root.resolve("second");
    Path zip = root.resolve("model.zip");
    SparkSession spark =
        SparkSessions.getOrCreate("test-ensemble-models", Map.of("spark.master", "local[2]"));
    try {
      // the first run, with its own models, exported as a model package zip
      assertTrue(Runs.crossValidation(spark, config(tinyRun(data, first))).all().clean());
      CliRun export =
          CliRun.of("model", "export", "--run", first.toString(), "--out", zip.toString());
      assertEquals(0, export.exitCode(), export.out() + export.err());

      // a second run whose test archive the zip segments
      List<String> withZip = tinyRun(data, second);
      withZip.add("ensemble.models=" + zip);
      RunConfig c = config(withZip);
      assertEquals(zip.toString(), c.ensemble().models());
      assertTrue(Runs.crossValidation(spark, c).all().clean());
      List<Path> want = merged(first);
      assertEquals(2, want.size());
      NiftiReader reader = NiftiReader.withDefaults();
      for (Path w : want) {
        Path got = second.resolve("test/predictions/test-merged").resolve(w.getFileName());
        assertArrayEquals(reader.read(w).data(), reader.read(got).data(), got.toString());
      }
      FileSystem fs = FileSystem.getLocal(spark.sparkContext().hadoopConfiguration());
      Provenance p =
          Provenance.read(
              fs, new org.apache.hadoop.fs.Path(second.resolve("provenance.json").toString()));
      assertEquals(zip.toString(), p.outputs().get("predictions test models"));
      assertTrue(
          p.outputs().get("predictions test models source").endsWith("manifest.json"),
          p.outputs().toString());
      assertTrue(p.outputs().containsKey("predictions test model baseline/A/fold1"));
      Map<String, String> fromZip = testFingerprints(fs, second);

      // back to the run's own models: the test labelmaps are made again, not reused
      CrossValidation own = Runs.crossValidation(spark, config(tinyRun(data, second)));
      List<InferStage.Prediction> again = own.inferTest();
      assertEquals(6, again.size()); // 2 cases x (test-A, test-B, test-merged)
      assertTrue(again.stream().allMatch(x -> x.ok() && x.seconds() > 0), again.toString());
      Map<String, String> fromOwn = testFingerprints(fs, second);
      assertEquals(fromZip.keySet(), fromOwn.keySet());
      fromZip.forEach((id, fp) -> assertNotEquals(fp, fromOwn.get(id), id));
      // an unchanged rerun predicts nothing
      List<InferStage.Prediction> unchanged = own.inferTest();
      assertTrue(
          unchanged.stream().allMatch(x -> x.ok() && x.seconds() == 0), unchanged.toString());
      assertEquals(fromOwn, testFingerprints(fs, second));

      // a path that is no ensemble: a config error naming it
      List<String> bad = tinyRun(data, root.resolve("third"));
      bad.add("ensemble.models=" + data.resolve("train"));
      ConfigException e =
          assertThrows(ConfigException.class, () -> Runs.crossValidation(spark, config(bad)));
      assertTrue(
          e.getMessage().startsWith("ensemble.models: " + data.resolve("train")), e.getMessage());
    } finally {
      spark.stop();
      try (Stream<Path> all = Files.walk(root)) {
        all.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      }
    }
  }
}
