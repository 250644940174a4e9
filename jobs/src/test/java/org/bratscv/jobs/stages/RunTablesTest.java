package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bratscv.jobs.run.Table;
import org.bratscv.jobs.sweep.Comparison;
import org.bratscv.jobs.sweep.PatientRemoval;
import org.bratscv.model.train.EpochLog;
import org.junit.jupiter.api.Test;

/** Every table of the run folder reads back what it wrote: one schema per table. */
class RunTablesTest {
  /** Writes, reads back and writes again: the two CSV texts must be the same. */
  private static <R> List<R> roundTrip(Table<R> table, List<R> rows) throws IOException {
    byte[] first = table.csv(rows);
    List<R> back = table.parse(new String(first, StandardCharsets.UTF_8), "table.csv");
    assertEquals(rows.size(), back.size());
    assertArrayEquals(first, table.csv(back), new String(first, StandardCharsets.UTF_8));
    return back;
  }

  @Test
  void everyTableReadsBackWhatItWrote() throws IOException {
    ModelRow m = new ModelRow();
    m.setVariant("unet");
    m.setPipeline("A");
    m.setFold(3);
    m.setStatus("ok");
    m.setReason("");
    m.setCheckpoint("hdfs:///runs/r/train/unet/A/fold3/final");
    m.setNormalization("A");
    m.setWidth(48);
    m.setNorm("group");
    m.setDeepSupervision(true);
    m.setFinalWeights("swa_average");
    m.setEpochs(200);
    m.setBestEpoch(-1);
    m.setResumedAfter(17);
    m.setTrainCases(295);
    m.setDevice("cpu");
    m.setSparkGpu("gpu:1");
    m.setSeconds(3600.5);
    m.setFingerprint("ab".repeat(32));
    ModelRow back = roundTrip(ModelRow.TABLE, List.of(m)).get(0);
    assertEquals("ab".repeat(32), back.getFingerprint());
    assertEquals("cpu", back.getDevice());
    assertEquals("gpu:1", back.getSparkGpu());

    EpochRow e =
        EpochRow.of("unet", "B", 1, new EpochLog(4, "swa", 0.25, 0.3, 0.7, 0.8, 0.9, 1e-4, 12.5));
    EpochRow noVal =
        EpochRow.of(
            "unet",
            "B",
            1,
            new EpochLog(5, "main", 0.2, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1e-4, 1));
    List<EpochRow> log = roundTrip(EpochRow.TABLE, List.of(e, noVal));
    assertEquals(0.8, log.get(0).meanValidationDice(), 1e-9);
    assertEquals(true, Double.isNaN(log.get(1).meanValidationDice()));

    roundTrip(
        MetricRow.TABLE,
        List.of(new MetricRow("oof-merged", "c1", "ET", 0.5, 3.0, Double.NaN, 0.99)));
    roundTrip(
        CaseManifestRow.TABLE,
        List.of(
            CaseManifestRow.ok(
                "c1", "brats2020", true, "240x240x155", "1:2,3:4,5:6", 1.5, "/a/c1", "ff"),
            CaseManifestRow.error("c2", "brats2020", "case c2: t1.nii.gz: truncated", "/a/c2")));
    roundTrip(
        InferStage.INDEX,
        List.of(
            new InferStage.Prediction("oof-A", "c1", "/p/c1.nii.gz", "", true, null, 0, "aa"),
            new InferStage.Prediction("oof-A", "c2", "", "", false, "case c2: no model", 0, "")));
    roundTrip(
        UncertaintyRow.TABLE,
        List.of(
            new UncertaintyRow(
                "test-merged",
                "c1",
                "WT",
                org.bratscv.data.uncertainty.UncertaintyScore.of(
                    new boolean[] {true, true, false},
                    new boolean[] {true, false, false},
                    new byte[] {0, 60, 30},
                    new boolean[] {true, true, true}))));
    roundTrip(
        EvaluateStage.SUMMARY,
        List.of(
            new EvaluateStage.SummaryRow(
                "test-merged", "brats2023-gli", "WT", "dice", 0.9, 0.1, 0.91, 0.8, 0.95, 4)));
    roundTrip(
        Comparison.TABLE,
        List.of(
            new Comparison.Row(
                "attention",
                "unet",
                "oof-A",
                "ET",
                "dice",
                0.7,
                0.02,
                5,
                0.72,
                0.01,
                -0.02,
                0.03,
                295)));
    roundTrip(PatientRemoval.TABLE, List.of(new PatientRemoval.Ranked("c1", 0.75, 4, 1, true)));
    roundTrip(
        SegmentStage.TABLE,
        List.of(new SegmentStage.Row("c1", "ok", "", "/o/labelmaps/c1.nii.gz", "", 2.5, "abcd")));
  }

  @Test
  void aModelsManifestOfAnOlderBratsCvHasNoFingerprintsAndSoStaleModels() throws IOException {
    String old =
        "variant,pipeline,fold,status,reason,checkpoint,normalization,width,norm,"
            + "deep_supervision,attention,final_weights,epochs,best_epoch,resumed_after,"
            + "train_cases,device,seconds\n"
            + "baseline,A,0,ok,,/r/train/baseline/A/fold0/final,A,6,group,false,false,"
            + "swa_average,10,-1,-1,12,cpu,20.0\n";
    ModelRow r = ModelRow.TABLE.parse(old, "models.csv").get(0);
    assertEquals("", r.getFingerprint());
    assertEquals("", r.getSparkGpu(), "no spark_gpu column: no GPU recorded");
    assertEquals(6, r.getWidth());
    assertEquals("baseline", r.getVariant());
  }
}
