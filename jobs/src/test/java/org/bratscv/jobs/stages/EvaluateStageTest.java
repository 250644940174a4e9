package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.labels.Region;
import org.bratscv.data.metrics.MetricConventions;
import org.bratscv.data.metrics.SummaryStatistics;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.spark.SparkSessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateStageTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("evaluate-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void scoresEveryLabelmapAndSummarisesLikeTheBratsLeaderboard() throws IOException {
    Path archive = dir.resolve("archive");
    new PhantomArchive(new PhantomGenerator(new Dims(32, 32, 24), 2), "Training", 1, true)
        .write(archive, 4, id -> {});
    OutputRoot out = new OutputRoot(dir.resolve("out").toString());
    new PreprocessStage()
        .run(
            spark,
            new PreprocessStage.Settings(
                archive.toString(), out, EnumSet.of(Normalization.A), null, 2, 1L << 30));

    // two labelmap sets: the ground truth itself (perfect) and the other case's labels (poor)
    List<EvaluateStage.Item> items = new ArrayList<>();
    NiftiReader reader = NiftiReader.withDefaults();
    for (int i = 1; i <= 4; i++) {
      String id = String.format("BraTS20_Training_%03d", i);
      Path seg = archive.resolve(id).resolve(id + "_seg.nii.gz");
      String caseDir = PreparedCaseFiles.caseDir(out, id).toString();
      items.add(new EvaluateStage.Item("perfect", id, seg.toString(), caseDir, ""));
      String other = String.format("BraTS20_Training_%03d", i % 4 + 1);
      Path otherSeg = archive.resolve(other).resolve(other + "_seg.nii.gz");
      Path pred = Files.createDirectories(dir.resolve("pred")).resolve(id + ".nii.gz");
      LabelVolume l = LabelVolume.fromVolume(reader.read(otherSeg).toVolume());
      NiftiWriter.withDefaults().write(pred, l, reader.readHeader(seg));
      items.add(new EvaluateStage.Item("poor", id, pred.toString(), caseDir, ""));
    }
    items.add(
        new EvaluateStage.Item(
            "poor",
            "BraTS20_Training_404",
            "/nowhere.nii.gz",
            PreparedCaseFiles.caseDir(out, "BraTS20_Training_404").toString(),
            ""));

    EvaluateStage.Result r =
        new EvaluateStage().run(spark, new EvaluateStage.Settings(out, null, 3), items);
    assertEquals(24, r.rows().size());
    assertEquals(1, r.errors().size());
    assertTrue(r.errors().get(0).contains("BraTS20_Training_404"), r.errors().get(0));

    for (EvaluateStage.SummaryRow s : r.summary()) {
      double[] values =
          r.rows().stream()
              .filter(m -> m.getLabelmapSet().equals(s.labelmapSet()))
              .filter(m -> m.getRegion().equals(s.region()))
              .mapToDouble(m -> m.valueOrNaN(s.metric()))
              .toArray();
      SummaryStatistics want = SummaryStatistics.of(values);
      String what = s.labelmapSet() + "/" + s.region() + "/" + s.metric();
      assertEquals(want.n(), s.n(), what);
      assertEquals(want.mean(), s.mean(), 1e-9, what);
      assertEquals(want.std(), s.std(), 1e-9, what);
      assertEquals(want.median(), s.median(), 1e-9, what);
      assertEquals(want.q25(), s.q25(), 1e-9, what);
      assertEquals(want.q75(), s.q75(), 1e-9, what);
    }
    EvaluateStage.SummaryRow perfectWt =
        r.summary().stream()
            .filter(x -> x.labelmapSet().equals("perfect") && x.region().equals(Region.WT.name()))
            .filter(x -> x.metric().equals("dice"))
            .findFirst()
            .orElseThrow();
    assertEquals(1.0, perfectWt.mean(), 0);
    assertEquals(4, perfectWt.n());

    List<String> csv = Files.readAllLines(dir.resolve("out/evaluate/summary.csv"));
    assertEquals("labelmap_set,convention,region,metric,mean,std,median,q25,q75,n", csv.get(0));
    assertTrue(csv.get(1).startsWith("perfect,brats2020,"), csv.get(1));
    assertEquals(1 + 2 * 3 * 4, csv.size());
    assertEquals(25, Files.readAllLines(dir.resolve("out/evaluate/metrics.csv")).size());
    String md = Files.readString(dir.resolve("out/evaluate/summary.md"));
    assertTrue(
        md.contains("| perfect | brats2020 | 1.000 | 1.000 | 1.000 | 0.00 | 0.00 | 0.00 | 4 |"),
        md);
    assertEquals(
        24, spark.read().parquet(dir.resolve("out/evaluate/metrics.parquet").toString()).count());

    // the same labelmaps under brats2023 (GLI): the convention is named in every row, the
    // lesion-wise scores join the tables, and the fingerprint changes so that a rerun re-scores
    MetricConventions gli = MetricConventions.BRATS2023;
    OutputRoot out23 = new OutputRoot(dir.resolve("out23").toString());
    EvaluateStage.Result r23 =
        new EvaluateStage().run(spark, new EvaluateStage.Settings(out23, gli, 3), items);
    assertEquals(24, r23.rows().size());
    for (MetricRow m : r23.rows()) {
      assertEquals("brats2023-gli", m.getConvention());
      if (m.getLabelmapSet().equals("perfect")) {
        assertEquals(1.0, m.getLesionwiseDice(), 0, m.getCaseId() + " " + m.getRegion());
        assertEquals(0.0, m.getLesionwiseHd95(), 0, m.getCaseId() + " " + m.getRegion());
      }
    }
    assertEquals(2 * 3 * 6, r23.summary().size());
    List<String> csv23 = Files.readAllLines(dir.resolve("out23/evaluate/metrics.csv"));
    assertEquals(
        "labelmap_set,case_id,region,convention,dice,hd95,sensitivity,specificity,"
            + "lesionwise_dice,lesionwise_hd95",
        csv23.get(0));
    assertTrue(
        Files.readString(dir.resolve("out23/evaluate/summary.md"))
            .contains("| perfect | brats2023-gli | 1.000 | 1.000 | 1.000 | 0.00 | 0.00 | 0.00"));
    assertTrue(
        !EvaluateStage.fingerprint(new EvaluateStage.Settings(out, null, 3), items)
            .equals(EvaluateStage.fingerprint(new EvaluateStage.Settings(out, gli, 3), items)));
    assertTrue(
        !EvaluateStage.fingerprint(new EvaluateStage.Settings(out, gli, 3), items)
            .equals(
                EvaluateStage.fingerprint(
                    new EvaluateStage.Settings(out, MetricConventions.parse("brats2023-met"), 3),
                    items)));
  }

  /**
   * Uncertainty maps beside a labelmap are scored as the QU-BraTS task did: the ground truth with
   * certain maps scores 1; a poor labelmap marked fully uncertain (100 everywhere) keeps all voxels
   * only at threshold 100, so Dice runs from its plain value to 1 (both emptied) and FTP and FTN
   * from 0 to 1: AUC(Dice) = 0.25 (d + 1) / 2 + 0.75, AUC(FTP) = AUC(FTN) = 0.875.
   */
  @Test
  void scoresTheUncertaintyMapsBesideALabelmapAsTheQuBratsTask() throws IOException {
    Path archive = dir.resolve("archive");
    new PhantomArchive(new PhantomGenerator(new Dims(32, 32, 24), 2), "Training", 1, true)
        .write(archive, 2, id -> {});
    OutputRoot out = new OutputRoot(dir.resolve("out").toString());
    new PreprocessStage()
        .run(
            spark,
            new PreprocessStage.Settings(
                archive.toString(), out, EnumSet.of(Normalization.A), null, 2, 1L << 30));
    NiftiReader reader = NiftiReader.withDefaults();
    NiftiWriter writer = NiftiWriter.withDefaults();
    List<EvaluateStage.Item> items = new ArrayList<>();
    String[] ids = {"BraTS20_Training_001", "BraTS20_Training_002"};
    for (String set : List.of("perfect", "poor")) {
      for (int i = 0; i < 2; i++) {
        String id = ids[i];
        String labelsOf = set.equals("perfect") ? id : ids[1 - i];
        Path seg = archive.resolve(id).resolve(id + "_seg.nii.gz");
        Path src = archive.resolve(labelsOf).resolve(labelsOf + "_seg.nii.gz");
        LabelVolume l = LabelVolume.fromVolume(reader.read(src).toVolume());
        Path pred = Files.createDirectories(dir.resolve(set)).resolve(id + ".nii.gz");
        writer.write(pred, l, reader.readHeader(seg));
        byte[] u = new byte[l.labels().length];
        java.util.Arrays.fill(u, (byte) (set.equals("perfect") ? 0 : 100));
        for (Region r : Region.values()) {
          Path map =
              Path.of(
                  org.bratscv.jobs.run.RunFolder.uncertaintyOf(
                          new org.apache.hadoop.fs.Path(pred.toString()), r)
                      .toUri()
                      .getPath());
          Files.createDirectories(map.getParent());
          writer.write(map, new LabelVolume(l.geometry(), u), reader.readHeader(seg));
        }
        items.add(
            new EvaluateStage.Item(
                set, id, pred.toString(), PreparedCaseFiles.caseDir(out, id).toString(), ""));
      }
    }
    EvaluateStage.Result r =
        new EvaluateStage()
            .run(spark, new EvaluateStage.Settings(out, MetricConventions.BRATS2020, 2), items);
    assertEquals(List.of(), r.errors());
    assertEquals(2 * 2 * 3, r.uncertainty().size());
    for (UncertaintyRow u : r.uncertainty()) {
      String what = u.labelmapSet() + "/" + u.caseId() + "/" + u.region();
      if (u.labelmapSet().equals("perfect")) {
        assertEquals(1.0, u.score().score(), 1e-12, what);
        continue;
      }
      MetricRow m =
          r.rows().stream()
              .filter(x -> x.getLabelmapSet().equals("poor"))
              .filter(x -> x.getCaseId().equals(u.caseId()) && x.getRegion().equals(u.region()))
              .findFirst()
              .orElseThrow();
      double d = m.getDice();
      // no true positive (the other case's region misses this one's): nothing to filter, FTP 0
      double ftp = m.getSensitivity() != null && m.getSensitivity() > 0 ? 0.875 : 0;
      assertEquals(0.25 * (d + 1) / 2 + 0.75, u.score().diceAuc(), 1e-9, what);
      assertEquals(ftp, u.score().ftpAuc(), 1e-12, what);
      assertEquals(0.875, u.score().ftnAuc(), 1e-12, what);
      assertEquals(
          (0.25 * (d + 1) / 2 + 0.75 + 1 - ftp + 0.125) / 3, u.score().score(), 1e-9, what);
    }
    List<String> csv = Files.readAllLines(dir.resolve("out/evaluate/uncertainty.csv"));
    assertEquals(1 + 12, csv.size());
    assertTrue(
        csv.get(0)
            .startsWith("labelmap_set,case_id,region,score,dice_auc,ftp_auc,ftn_auc,dice_100,"),
        csv.get(0));
  }
}
