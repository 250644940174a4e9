package org.bratscv.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.spark.SparkSessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep of three variants (baseline, patient removal, a wider network) on tiny synthetic cases in
 * local[2]: one preprocessing, the comparison table, the removal list, and a rerun that skips every
 * finished variant.
 */
class SweepTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("sweep-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void variantsAreComparedWithTheBaselineAndARerunSkipsThem() throws IOException {
    Path train = dir.resolve("train");
    new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 11), "Training", 1, true)
        .write(train, 6, id -> {});
    Files.writeString(
        dir.resolve("base.yaml"),
        String.join(
            "\n",
            "data: {train: " + train + "}",
            "output: unused",
            "folds: {k: 2}",
            "pipelines:",
            "  A:",
            "    epochs: 1",
            "    network: {width: 2}",
            "    patch: [16, 16, 16]",
            "    swa: {cycles: 1, cycle_epochs: 1, snapshot_every: 1}",
            "ensemble: {tta: 1}",
            ""));
    Path sweepFile = dir.resolve("sweep.yaml");
    Files.writeString(
        sweepFile,
        String.join(
            "\n",
            "name: tiny",
            "base: base.yaml",
            "output: " + dir.resolve("sweeps"),
            "baseline: unet",
            "variants:",
            "  unet: {}",
            "  removal: {removal: {from: unet, quantile: 0.5}}",
            "  wide: {set: {pipelines.A.network.width: 3}}",
            ""));
    SweepConfig c = SweepConfig.load(sweepFile, List.of());
    Sweep.Outcome o = new Sweep(spark, c, "night-1").run();
    assertTrue(o.clean(), o.failures().toString());
    assertEquals(List.of(), o.skipped());

    Path root = dir.resolve("sweeps/night-1");
    // one preprocessing shared by all variants
    assertEquals(1 + 6, Files.readAllLines(root.resolve("preprocess/manifest.csv")).size());
    assertTrue(Files.exists(root.resolve("folds.json")));
    // 3 variants x 2 folds of pipeline A
    List<String> models = Files.readAllLines(root.resolve("train/models.csv"));
    assertEquals(1 + 6, models.size(), String.join("\n", models));

    // patient removal: every training case ranked, the upper half of the losses dropped, and
    // the removal variant's models trained without them
    List<String> removal = Files.readAllLines(root.resolve("variants/removal/removal.csv"));
    assertEquals("case_id,dice_loss,models,rank,dropped", removal.get(0));
    assertEquals(1 + 6, removal.size());
    Set<String> dropped = new TreeSet<>();
    double lowestDropped = Double.MAX_VALUE;
    double highestKept = -1;
    for (String line : removal.subList(1, removal.size())) {
      String[] f = line.split(",");
      double loss = Double.parseDouble(f[1]);
      assertEquals("1", f[2], "with 2 folds, one model trained on each case");
      if (Boolean.parseBoolean(f[4])) {
        dropped.add(f[0]);
        lowestDropped = Math.min(lowestDropped, loss);
      } else {
        highestKept = Math.max(highestKept, loss);
      }
    }
    assertEquals(o.removed().get("removal"), dropped);
    // what a resumed run reads back instead of ranking again
    assertEquals(
        dropped,
        Sweep.readDropped(
            org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
            new org.apache.hadoop.fs.Path(
                root.resolve("variants/removal/removal.csv").toString())));
    assertTrue(dropped.size() >= 2 && dropped.size() <= 3, dropped.toString());
    assertTrue(lowestDropped > highestKept, "the dropped cases are the highest-loss ones");
    Map<String, Integer> trainCases = new HashMap<>();
    List<String> header = List.of(models.get(0).split(","));
    for (String m : models.subList(1, models.size())) {
      String[] f = m.split(",", -1);
      trainCases.merge(
          f[header.indexOf("variant")],
          Integer.parseInt(f[header.indexOf("train_cases")]),
          Integer::sum);
    }
    // each case trains the one fold that does not hold it out
    assertEquals(6, trainCases.get("unet"));
    assertEquals(6, trainCases.get("wide"));
    assertEquals(6 - dropped.size(), trainCases.get("removal"));

    // the comparison: 3 variants x 3 regions x 2 metrics, p-values in [0, 1] but the baseline's
    List<String> comparison = Files.readAllLines(root.resolve("comparison.csv"));
    assertEquals(1 + 18, comparison.size());
    List<String> ch = List.of(comparison.get(0).split(","));
    for (String line : comparison.subList(1, comparison.size())) {
      String[] f = line.split(",", -1);
      String p = f[ch.indexOf("p_value")];
      if (f[0].equals("unet")) {
        assertEquals("", p);
        assertEquals(0.0, Double.parseDouble(f[ch.indexOf("delta")]));
      } else {
        double pv = Double.parseDouble(p);
        assertTrue(pv >= 0 && pv <= 1, line);
        assertEquals("6", f[ch.indexOf("n_cases")], line);
      }
      assertEquals("oof-A", f[ch.indexOf("labelmap_set")]);
      assertEquals("2", f[ch.indexOf("folds")]);
    }
    assertTrue(Files.readString(root.resolve("comparison.md")).contains("| removal |"));
    for (String v : List.of("unet", "removal", "wide")) {
      assertTrue(Files.exists(root.resolve("variants/" + v + "/DONE")), v);
      assertTrue(Files.exists(root.resolve("variants/" + v + "/config.yaml")), v);
      assertEquals(
          1 + 6 * 3,
          Files.readAllLines(root.resolve("variants/" + v + "/evaluate/metrics.csv")).size(),
          v);
    }
    // the sweep's report: the comparison table, and only images that exist
    org.bratscv.jobs.report.RunReport.write(
        spark.sparkContext().hadoopConfiguration(),
        new org.bratscv.jobs.io.OutputRoot(root.toString()));
    Path html = root.resolve("report/index.html");
    String page = Files.readString(html);
    assertTrue(page.contains("removal"), "the comparison names the variants");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("src=\"([^\"]+)\"").matcher(page);
    int images = 0;
    while (m.find()) {
      assertTrue(Files.exists(html.getParent().resolve(m.group(1))), m.group(1));
      images++;
    }
    assertTrue(images > 0);
    assertEquals("night-1", Files.readString(dir.resolve("sweeps/LATEST")).trim());
    assertTrue(Files.readString(root.resolve(RunFolder.FINISHED)).startsWith("night-1 finished "));
    assertEquals(root.toRealPath(), dir.resolve("sweeps/latest").toRealPath());

    // a rerun of the same night skips every finished variant and rewrites no model or labelmap
    Map<Path, Long> before = modified(root);
    Sweep.Outcome again = new Sweep(spark, c, "night-1").run();
    assertEquals(List.of("unet", "removal", "wide"), again.skipped());
    assertTrue(again.clean());
    for (Map.Entry<Path, Long> e : before.entrySet()) {
      String name = e.getKey().toString();
      if (name.contains("/train/") || name.endsWith(".nii.gz") || name.endsWith("removal.csv")) {
        assertEquals(e.getValue(), modified(root).get(e.getKey()), "rewritten: " + name);
      }
    }
    assertEquals(comparison, Files.readAllLines(root.resolve("comparison.csv")));

    // another threshold for every variant: no variant is taken as finished, every labelmap is
    // predicted again, and no model is trained again
    SweepConfig other = SweepConfig.load(sweepFile, List.of("ensemble.threshold=0.4"));
    Sweep.Outcome rescored = new Sweep(spark, other, "night-1").run();
    assertEquals(List.of(), rescored.skipped());
    Map<Path, Long> after = modified(root);
    for (Map.Entry<Path, Long> e : before.entrySet()) {
      String name = e.getKey().toString();
      if (name.contains("/train/") && name.endsWith("weights.bin")) {
        assertEquals(e.getValue(), after.get(e.getKey()), "retrained: " + name);
      } else if (name.contains("/predictions/oof-") && name.endsWith(".nii.gz")) {
        assertNotEquals(e.getValue(), after.get(e.getKey()), "kept stale: " + name);
      }
    }
    try (Stream<Path> all = Files.walk(dir.resolve("sweeps"))) {
      assertEquals(
          List.of(),
          all.filter(p -> p.getFileName().toString().startsWith("_tmp.")).toList(),
          "no temporary file remains");
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
