package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.run.BuildInfo;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.Provenance;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.StaleOutputException;
import org.bratscv.jobs.run.StaleOutputs;
import org.bratscv.jobs.spark.SparkSessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rerun rules of README ("Reruns and provenance"), one cross-validation rerun after another on
 * tiny phantoms: each redoes exactly the outputs whose fingerprint changed.
 */
class RerunRulesTest {
  private static final Dims DIMS = new Dims(24, 24, 16);
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("rerun-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private RunConfig config(String... more) {
    List<String> settings =
        new ArrayList<>(
            List.of(
                "data.train=" + dir.resolve("train"),
                "output=" + dir.resolve("out"),
                "folds.k=2",
                "pipelines.A.epochs=1",
                "pipelines.A.validate_every=1",
                "pipelines.A.network.width=2",
                "pipelines.A.patch=[16,16,16]",
                "pipelines.A.swa.cycles=1",
                "pipelines.A.swa.cycle_epochs=1",
                "pipelines.A.swa.snapshot_every=1"));
    settings.addAll(List.of(more));
    return RunConfig.of(ConfigTree.empty().withAll(settings));
  }

  private Path out(String relative) {
    return dir.resolve("out").resolve(relative);
  }

  private static Map<String, Long> modified(Path root, String suffix) throws IOException {
    Map<String, Long> m = new HashMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        if (p.toString().endsWith(suffix)) {
          m.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
        }
      }
    }
    return m;
  }

  /** The labelmaps under {@code predictions/}: not the uncertainty maps in their subfolders. */
  private static Map<String, Long> labelmaps(Path predictions) throws IOException {
    Map<String, Long> m = modified(predictions, ".nii.gz");
    m.keySet()
        .removeIf(
            k -> Path.of(k).getParent().getFileName().toString().equals(RunFolder.UNCERTAINTY));
    return m;
  }

  private Map<String, String> modelFingerprints() throws IOException {
    Map<String, String> m = new HashMap<>();
    for (ModelRow r :
        ModelRow.TABLE.read(fs(), new RunFolder(dir.resolve("out").toString()).modelsCsv())) {
      m.put(r.getPipeline() + r.getFold(), r.getFingerprint());
    }
    return m;
  }

  private Map<String, String> caseFingerprints() throws IOException {
    Map<String, String> m = new HashMap<>();
    for (CaseManifestRow r :
        CaseManifestRow.TABLE.read(
            fs(), new RunFolder(dir.resolve("out").toString()).caseManifestCsv())) {
      m.put(r.getCaseId(), r.getFingerprint());
    }
    return m;
  }

  private static FileSystem fs() throws IOException {
    return FileSystem.getLocal(new Configuration());
  }

  private Provenance provenance() throws IOException {
    return Provenance.read(fs(), new RunFolder(dir.resolve("out").toString()).provenance());
  }

  @Test
  void eachRerunRedoesExactlyWhatChanged() throws IOException {
    PhantomGenerator gen = new PhantomGenerator(DIMS, 5);
    new PhantomArchive(gen, "Training", 1, true).write(dir.resolve("train"), 4, id -> {});
    new CrossValidation(spark, config()).all();

    // provenance.json: code, runtime, configuration hash, inputs, outputs
    Provenance p0 = provenance();
    assertEquals(BuildInfo.current().version(), p0.code().version());
    assertEquals(
        Fingerprint.sha256(Files.readString(out("config.yaml"))),
        p0.configSha256(),
        "the hash is of the resolved configuration written beside it");
    assertEquals(caseFingerprints(), p0.inputs().cases());
    assertEquals(4, p0.inputs().cases().size());
    assertEquals(
        modelFingerprints().get("A0"), p0.outputs().get("model baseline/A/fold0"), "models");
    assertTrue(p0.outputs().containsKey("evaluate"), p0.outputs().toString());
    assertEquals(List.of("cpu"), p0.devices().training());
    assertEquals(spark.version(), p0.runtime().spark());

    Map<String, Long> cases0 = modified(out("preprocess"), "case.json");
    Map<String, Long> weights0 = modified(out("train"), "weights.bin");
    Map<String, Long> labels0 = labelmaps(out("predictions"));
    Map<String, String> models0 = modelFingerprints();
    String eval0 = Fingerprint.read(fs(), hadoop(out("evaluate/fingerprint.json"))).hash();
    assertEquals(4, labels0.size());
    assertEquals(
        3 * labels0.size(),
        modified(out("predictions"), ".nii.gz").size() - labels0.size(),
        "three uncertainty maps beside each labelmap");
    assertTrue(weights0.size() >= 2, weights0.toString());

    // 1. another threshold: inference and evaluation redone, preprocessing and training kept
    new CrossValidation(spark, config("ensemble.threshold=0.3")).all();
    assertEquals(cases0, modified(out("preprocess"), "case.json"));
    assertEquals(weights0, modified(out("train"), "weights.bin"));
    assertEquals(models0, modelFingerprints());
    Map<String, Long> labels1 = labelmaps(out("predictions"));
    for (String l : labels0.keySet()) {
      assertNotEquals(labels0.get(l), labels1.get(l), "predicted again: " + l);
    }
    assertNotEquals(eval0, Fingerprint.read(fs(), hadoop(out("evaluate/fingerprint.json"))).hash());
    assertNotEquals(p0.configSha256(), provenance().configSha256());

    // 2. another width: those models trained anew, their predictions redone, cases kept
    new CrossValidation(spark, config("ensemble.threshold=0.3", "pipelines.A.network.width=3"))
        .all();
    assertEquals(cases0, modified(out("preprocess"), "case.json"));
    Map<String, String> models2 = modelFingerprints();
    for (String m : models0.keySet()) {
      assertNotEquals(models0.get(m), models2.get(m), "trained anew: " + m);
    }
    Map<String, Long> weights2 = modified(out("train"), "weights.bin");
    for (String w : weights0.keySet()) {
      assertNotEquals(weights0.get(w), weights2.get(w), "rewritten: " + w);
    }
    Map<String, Long> labels2 = labelmaps(out("predictions"));
    for (String l : labels1.keySet()) {
      assertNotEquals(labels1.get(l), labels2.get(l), "predicted again: " + l);
    }

    // 3. one source file changed: only that case is preprocessed again
    Path other = dir.resolve("other");
    new PhantomArchive(new PhantomGenerator(DIMS, 99), "Training", 2, true)
        .write(other, 1, id -> {});
    String changed = "BraTS20_Training_002";
    Files.copy(
        other.resolve(changed).resolve(changed + "_t2.nii.gz"),
        dir.resolve("train").resolve(changed).resolve(changed + "_t2.nii.gz"),
        StandardCopyOption.REPLACE_EXISTING);
    Map<String, String> before3 = caseFingerprints();
    RunConfig c3 = config("ensemble.threshold=0.3", "pipelines.A.network.width=3");
    new CrossValidation(spark, c3).preprocess();
    Map<String, Long> cases3 = modified(out("preprocess"), "case.json");
    Map<String, String> after3 = caseFingerprints();
    for (String c : before3.keySet()) {
      String caseJson = "cases/" + c + "/case.json";
      if (c.equals(changed)) {
        assertNotEquals(before3.get(c), after3.get(c));
        assertNotEquals(cases0.get(caseJson), cases3.get(caseJson));
      } else {
        assertEquals(before3.get(c), after3.get(c), c);
        assertEquals(cases0.get(caseJson), cases3.get(caseJson), c);
      }
    }

    // 4. a new case under trained models: only it is preprocessed, then the folds stage stops
    new PhantomArchive(gen, "Training", 5, true).write(dir.resolve("train"), 1, id -> {});
    StaleOutputException e =
        assertThrows(StaleOutputException.class, () -> new CrossValidation(spark, c3).all());
    assertTrue(e.getMessage().contains("1 new cases [BraTS20_Training_005]"), e.getMessage());
    assertTrue(e.getMessage().contains("--keep-stale"), e.getMessage());
    assertEquals(5, caseFingerprints().size());
    assertEquals(
        cases3.get("cases/BraTS20_Training_001/case.json"),
        modified(out("preprocess"), "case.json").get("cases/BraTS20_Training_001/case.json"));
    String folds = Files.readString(out("folds.json"));
    //    --keep-stale: the split and every model whose inputs are unchanged are kept
    Map<String, Long> weights4 = modified(out("train"), "weights.bin");
    new CrossValidation(spark, c3).withStaleOutputs(StaleOutputs.KEEP).all();
    assertEquals(folds, Files.readString(out("folds.json")));
    assertTrue(
        !Files.readString(out("folds.json")).contains("BraTS20_Training_005"),
        "the new case takes no part");
    // case 002 changed in step 3: the models that trained or validated on it were trained anew
    assertNotEquals(weights4, modified(out("train"), "weights.bin"));
  }

  private static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toString());
  }
}
