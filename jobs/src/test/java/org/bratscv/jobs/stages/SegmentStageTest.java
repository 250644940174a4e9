package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.labels.Region;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.uncertainty.UncertaintyMaps;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.Csv;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.StaleOutputException;
import org.bratscv.jobs.run.StaleOutputs;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.model.infer.Precision;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk segmentation of an unlabelled archive with a tiny trained run: labelmaps on the T1 grid,
 * probability maps, a corrupt case as an error row, and a rerun after an interruption that redoes
 * only what was missing.
 */
class SegmentStageTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("segment-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void segmentsAnArchiveRecordsTheBadCaseAndResumesAfterAnInterruption() throws IOException {
    Path train = dir.resolve("train");
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 3);
    new PhantomArchive(gen, "Training", 1, true).write(train, 4, id -> {});
    RunConfig c = TrainStageTest.tinyConfig(train, dir.resolve("run"));
    CrossValidation cv = new CrossValidation(spark, c);
    cv.saveConfig();
    cv.preprocess();
    cv.folds();
    assertTrue(cv.train().failed().isEmpty());

    Path archive = dir.resolve("archive");
    new PhantomArchive(gen, "Validation", 50, false).write(archive, 5, id -> {});
    // case 54's T2 is not NIfTI at all
    Files.writeString(
        archive.resolve("BraTS20_Validation_054/BraTS20_Validation_054_t2.nii.gz"), "hello");

    TrainedEnsemble e =
        TrainedEnsemble.load(
            spark.sparkContext().hadoopConfiguration(), dir.resolve("run").toString(), null);
    assertEquals("baseline", e.variant());
    assertEquals(List.of("A", "B"), List.copyOf(e.members().keySet()));
    assertEquals(4, e.modelCount());
    assertEquals(List.of("A", "B"), e.labeling().merge());
    assertEquals(16, e.labeling().tta());

    Path out = dir.resolve("seg");
    SegmentStage.Settings s =
        new SegmentStage.Settings(
            archive.toString(),
            new OutputRoot(out.toString()),
            e.members(),
            null,
            new Labeling(1, e.labeling().threshold(), e.labeling().merge(), Precision.FP32, false),
            true,
            true,
            2,
            1,
            0.25,
            Integer.MAX_VALUE - 8L,
            StaleOutputs.STOP,
            "");
    SegmentStage.Result r = new SegmentStage().run(spark, s);
    assertEquals(4, r.count("ok"));
    assertEquals(1, r.errors().size());
    SegmentStage.Row bad = r.errors().get(0);
    assertEquals("BraTS20_Validation_054", bad.caseId());
    assertTrue(bad.reason().contains("BraTS20_Validation_054_t2.nii.gz"), bad.reason());

    NiftiReader reader = NiftiReader.withDefaults();
    for (String id :
        List.of(
            "BraTS20_Validation_050",
            "BraTS20_Validation_051",
            "BraTS20_Validation_052",
            "BraTS20_Validation_053")) {
      NiftiHeader t1 = reader.readHeader(archive.resolve(id).resolve(id + "_t1.nii.gz"));
      NiftiImage label = reader.read(out.resolve("labelmaps").resolve(id + ".nii.gz"));
      assertEquals(t1.spatialDims(), label.header().spatialDims());
      assertEquals(t1.affine(), label.header().affine());
      for (float v : label.data()) {
        assertTrue(v == 0 || v == 1 || v == 2 || v == 4, "BraTS 2020 labels only: " + v);
      }
      NiftiHeader p = reader.readHeader(out.resolve("probabilities").resolve(id + ".nii.gz"));
      long[] dim = p.dim();
      assertArrayEquals(new long[] {4, 24, 24, 16, 3}, java.util.Arrays.copyOf(dim, 5));
      assertEquals(t1.affine(), p.affine());
      // the uncertainty maps: uint8 0..100 on the labelmap's header (qform and sform alike)
      for (Region region : Region.values()) {
        Path file =
            out.resolve("labelmaps/uncertainty")
                .resolve(id + "_unc_" + UncertaintyMaps.fileWord(region) + ".nii.gz");
        NiftiImage u = reader.read(file);
        assertEquals(NiftiDataType.UINT8, u.header().dataType(), file.toString());
        assertEquals(label.header().affine(), u.header().affine());
        assertEquals(label.header().qformCode(), u.header().qformCode());
        assertEquals(label.header().sformCode(), u.header().sformCode());
        assertArrayEquals(label.header().srowX(), u.header().srowX());
        assertArrayEquals(label.header().dim(), u.header().dim());
        for (float v : u.data()) {
          assertTrue(v >= 0 && v <= 100 && v == Math.rint(v), region + " uncertainty " + v);
        }
      }
    }
    List<String[]> manifest = Csv.parse(Files.readString(out.resolve("segment.csv")));
    assertEquals(1 + 5, manifest.size());
    assertArrayEquals(
        new String[] {
          "case_id", "status", "reason", "labelmap", "probabilities", "seconds", "fingerprint"
        },
        manifest.get(0));

    // an interruption: two cases never finished, and a killed writer left a temporary file
    Files.delete(out.resolve("labelmaps/BraTS20_Validation_051.nii.gz"));
    Files.delete(out.resolve("probabilities/BraTS20_Validation_052.nii.gz"));
    Files.delete(out.resolve("labelmaps/uncertainty/BraTS20_Validation_052_unc_core.nii.gz"));
    Files.writeString(out.resolve("labelmaps/_tmp.BraTS20_Validation_051.nii.gz.1234"), "partial");
    Files.writeString(
        out.resolve("labelmaps/uncertainty/_tmp.BraTS20_Validation_052_unc_core.nii.gz.77"),
        "part");
    Map<Path, Long> before = modified(out.resolve("labelmaps"));
    SegmentStage.Result again = new SegmentStage().run(spark, s);
    assertEquals(2, again.count("ok"), "only the unfinished cases are segmented");
    assertEquals(2, again.count("done"));
    assertEquals(1, again.errors().size());
    assertEquals(
        before.get(out.resolve("labelmaps/BraTS20_Validation_050.nii.gz")),
        modified(out.resolve("labelmaps"))
            .get(out.resolve("labelmaps/BraTS20_Validation_050.nii.gz")),
        "a finished case is not rewritten");
    assertTrue(Files.exists(out.resolve("labelmaps/BraTS20_Validation_051.nii.gz")));
    assertTrue(Files.exists(out.resolve("probabilities/BraTS20_Validation_052.nii.gz")));
    assertTrue(
        Files.exists(out.resolve("labelmaps/uncertainty/BraTS20_Validation_052_unc_core.nii.gz")));
    List<String[]> rows = Csv.parse(Files.readString(out.resolve("segment.csv")));
    assertEquals(1 + 5, rows.size(), "one row per case, never twice");
    try (Stream<Path> all = Files.walk(out)) {
      assertEquals(
          List.of(),
          all.filter(p -> p.getFileName().toString().contains("_tmp.")).toList(),
          "no temporary file remains");
    }

    // the same folder with other settings: the old labelmaps are stale, and redoing is the
    // user's call
    String first = SegmentStage.fingerprint(s).shortHash();
    assertEquals(
        first,
        SegmentStage.TABLE.read(fs(), hadoop(out.resolve("segment.csv"))).get(0).fingerprint());
    SegmentStage.Settings other = like(s, 0.3, StaleOutputs.STOP);
    String second = SegmentStage.fingerprint(other).shortHash();
    StaleOutputException stale =
        assertThrows(StaleOutputException.class, () -> new SegmentStage().run(spark, other));
    assertTrue(stale.getMessage().contains("holds 4 labelmaps"), stale.getMessage());
    assertTrue(stale.getMessage().contains("threshold: 0.5 -> 0.3"), stale.getMessage());
    assertTrue(stale.getMessage().contains("--overwrite"), stale.getMessage());
    // --keep-stale: the old labelmaps stay done, each row naming the ensemble that made it
    Files.delete(out.resolve("labelmaps/BraTS20_Validation_053.nii.gz"));
    SegmentStage.Result kept = new SegmentStage().run(spark, like(s, 0.3, StaleOutputs.KEEP));
    assertEquals(1, kept.count("ok"));
    assertEquals(3, kept.count("done"));
    Map<String, String> madeBy = new HashMap<>();
    for (SegmentStage.Row row : SegmentStage.TABLE.read(fs(), hadoop(out.resolve("segment.csv")))) {
      madeBy.put(row.caseId(), row.fingerprint());
    }
    assertEquals(first, madeBy.get("BraTS20_Validation_050"));
    assertEquals(second, madeBy.get("BraTS20_Validation_053"));
    // the folder still holds 3 labelmaps of the first settings: a plain rerun stops again
    assertThrows(StaleOutputException.class, () -> new SegmentStage().run(spark, other));
    // --overwrite: those cases again with the new settings, the one made by them kept
    SegmentStage.Result redone =
        new SegmentStage().run(spark, like(s, 0.3, StaleOutputs.OVERWRITE));
    assertEquals(3, redone.count("ok"));
    assertEquals(1, redone.count("done"));
    assertTrue(
        redone.rows().stream()
            .filter(x -> !x.failed())
            .allMatch(x -> x.fingerprint().equals(second)));

    // batched TTA (ensemble.tta_batch_bytes): the 16 transforms one at a time and in batches give
    // the same probabilities up to float rounding, and the same fingerprint
    Map<Path, double[]> byBudget = new HashMap<>();
    SegmentStage.Settings oneAtATime = null;
    for (long budget : new long[] {0, org.bratscv.model.infer.Ensemble.DEFAULT_BATCH_BYTES}) {
      Path o = dir.resolve("seg-batch-" + budget);
      SegmentStage.Settings t =
          new SegmentStage.Settings(
              archive.toString(),
              new OutputRoot(o.toString()),
              e.members(),
              null,
              new Labeling(
                  16, e.labeling().threshold(), e.labeling().merge(), Precision.FP32, false),
              true,
              false,
              4,
              1,
              0.25,
              Integer.MAX_VALUE - 8L,
              StaleOutputs.STOP,
              "",
              "cpu",
              budget);
      assertEquals(4, new SegmentStage().run(spark, t).count("ok"));
      byBudget.put(o, reader.readDoubles(o.resolve("probabilities/BraTS20_Validation_050.nii.gz")));
      if (budget == 0) {
        oneAtATime = t;
        assertEquals(
            SegmentStage.fingerprint(t).hash(),
            SegmentStage.fingerprint(
                    new SegmentStage.Settings(
                        t.archive(),
                        t.out(),
                        t.members(),
                        null,
                        t.labeling(),
                        true,
                        false,
                        4,
                        1,
                        0.25,
                        t.maxVoxelBytes(),
                        StaleOutputs.STOP,
                        "",
                        "cpu",
                        1L << 40))
                .hash(),
            "the TTA batch budget is no fingerprint ingredient");
      }
    }
    double[] sequential = byBudget.get(dir.resolve("seg-batch-0"));
    double[] batched =
        byBudget.get(
            dir.resolve("seg-batch-" + org.bratscv.model.infer.Ensemble.DEFAULT_BATCH_BYTES));
    assertEquals(sequential.length, batched.length);
    for (int i = 0; i < sequential.length; i++) {
      assertEquals(sequential[i], batched[i], 1e-5, "probability " + i);
    }

    // ensemble.brain_mask: the maps are 0 where every modality of the source is 0 and unchanged
    // inside the brain, and the labelmaps are made by other settings (another fingerprint)
    Path masked = dir.resolve("seg-brain");
    SegmentStage.Settings m = like(oneAtATime, new OutputRoot(masked.toString()), true);
    assertEquals(4, new SegmentStage().run(spark, m).count("ok"));
    assertNotEquals(
        SegmentStage.fingerprint(oneAtATime).hash(), SegmentStage.fingerprint(m).hash());
    for (String id : List.of("BraTS20_Validation_050", "BraTS20_Validation_053")) {
      boolean[] brain = new boolean[24 * 24 * 16];
      for (String modality : List.of("t1", "t1ce", "t2", "flair")) {
        float[] v =
            reader.read(archive.resolve(id).resolve(id + "_" + modality + ".nii.gz")).data();
        for (int i = 0; i < brain.length; i++) {
          brain[i] |= v[i] != 0;
        }
      }
      double[] plain =
          reader.readDoubles(dir.resolve("seg-batch-0/probabilities").resolve(id + ".nii.gz"));
      double[] inBrain =
          reader.readDoubles(masked.resolve("probabilities").resolve(id + ".nii.gz"));
      float[] labels = reader.read(masked.resolve("labelmaps").resolve(id + ".nii.gz")).data();
      int outsideWithProbability = 0;
      for (int region = 0; region < 3; region++) {
        for (int i = 0; i < brain.length; i++) {
          int k = region * brain.length + i;
          if (brain[i]) {
            assertEquals(plain[k], inBrain[k], 1e-6, id + " region " + region + " voxel " + i);
          } else {
            assertEquals(0, inBrain[k], 0, id + " region " + region + " voxel " + i);
            outsideWithProbability += plain[k] > 0 ? 1 : 0;
          }
        }
      }
      assertTrue(outsideWithProbability > 0, id + ": unmasked maps are 0 outside the brain too");
      for (int i = 0; i < brain.length; i++) {
        assertTrue(brain[i] || labels[i] == 0, id + " voxel " + i + " labelled outside the brain");
      }
    }

    IOException wrongVariant =
        assertThrows(
            IOException.class,
            () ->
                TrainedEnsemble.load(
                    spark.sparkContext().hadoopConfiguration(),
                    dir.resolve("run").toString(),
                    "attention"));
    assertTrue(wrongVariant.getMessage().contains("no variant attention"));
    assertThrows(
        IOException.class,
        () ->
            TrainedEnsemble.load(
                spark.sparkContext().hadoopConfiguration(), archive.toString(), null));
  }

  private static SegmentStage.Settings like(
      SegmentStage.Settings s, double threshold, StaleOutputs stale) {
    return new SegmentStage.Settings(
        s.archive(),
        s.out(),
        s.members(),
        s.labelScheme(),
        new Labeling(
            s.labeling().tta(),
            threshold,
            s.labeling().merge(),
            s.labeling().precision(),
            s.labeling().brainMask()),
        s.probabilities(),
        s.uncertainty(),
        s.casesPerTask(),
        s.engineThreads(),
        s.gpuShare(),
        s.maxVoxelBytes(),
        stale,
        "");
  }

  private static SegmentStage.Settings like(
      SegmentStage.Settings s, OutputRoot out, boolean brainMask) {
    return new SegmentStage.Settings(
        s.archive(),
        out,
        s.members(),
        s.labelScheme(),
        new Labeling(
            s.labeling().tta(),
            s.labeling().threshold(),
            s.labeling().merge(),
            s.labeling().precision(),
            brainMask),
        s.probabilities(),
        s.uncertainty(),
        s.casesPerTask(),
        s.engineThreads(),
        s.gpuShare(),
        s.maxVoxelBytes(),
        s.stale(),
        s.selection(),
        s.device(),
        s.ttaBatchBytes());
  }

  private static org.apache.hadoop.fs.FileSystem fs() throws IOException {
    return org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
  }

  private static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toString());
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
