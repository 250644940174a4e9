package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.ViewerColourTables;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.synth.Phantom;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Volume;
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

  /** BraTS 2020 labels (1 NCR, 2 edema, 4 ET) as the Decathlon numbers them (2, 1, 3). */
  static LabelVolume toDecathlonLabels(LabelVolume brats) {
    byte[] in = brats.labels();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] =
          (byte)
              switch (in[i]) {
                case 1 -> 2;
                case 2 -> 1;
                case 4 -> 3;
                default -> in[i];
              };
    }
    return new LabelVolume(brats.geometry(), out);
  }

  /** Writes the case as the Decathlon does: FLAIR, T1w, T1gd, T2w in one 4-D file. */
  static void writeDecathlonCase(Path task, String folder, Phantom p, int volumes, LabelVolume seg)
      throws IOException {
    List<Volume> order =
        List.of(
            p.modalities().volume(3),
            p.modalities().volume(0),
            p.modalities().volume(1),
            p.modalities().volume(2));
    MultiChannelVolume image = MultiChannelVolume.stack(order.subList(0, volumes));
    NiftiHeader like = NiftiHeader.forGeometry(image.geometry(), NiftiDataType.FLOAT32);
    Files.createDirectories(task.resolve(folder));
    try (OutputStream out =
        Files.newOutputStream(task.resolve(folder).resolve(p.caseId() + ".nii.gz"))) {
      NiftiWriter.withDefaults().write(out, true, image, like, NiftiDataType.FLOAT32, "MRI");
    }
    if (seg != null) {
      Files.createDirectories(task.resolve("labelsTr"));
      NiftiWriter.withDefaults()
          .write(
              task.resolve("labelsTr").resolve(p.caseId() + ".nii.gz"),
              seg,
              NiftiHeader.forGeometry(seg.geometry(), NiftiDataType.UINT8));
    }
  }

  static Path decathlonTree(Path task) throws IOException {
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 3);
    Files.createDirectories(task);
    Files.writeString(
        task.resolve("dataset.json"),
        "{\"name\": \"BRATS\", \"modality\": {\"0\": \"FLAIR\", \"1\": \"T1w\", \"2\": \"t1gd\","
            + " \"3\": \"T2w\"}, \"labels\": {\"0\": \"background\", \"1\": \"edema\","
            + " \"2\": \"non-enhancing tumor\", \"3\": \"enhancing tumour\"}}");
    for (int i = 1; i <= 4; i++) {
      Phantom p = gen.generate(String.format("BRATS_%03d", i), i);
      writeDecathlonCase(task, "imagesTr", p, 4, toDecathlonLabels(p.seg()));
    }
    // the AppleDouble file the Decathlon's tar carries next to each case
    Files.write(task.resolve("imagesTr/._BRATS_001.nii.gz"), new byte[] {0, 5, 22, 7});
    // bad channel count: three sequences only
    Phantom three = gen.generate("BRATS_005", 5);
    writeDecathlonCase(task, "imagesTr", three, 3, toDecathlonLabels(three.seg()));
    // wrong shape: the labelmap is smaller than the image
    Phantom wrong = gen.generate("BRATS_006", 6);
    LabelVolume small =
        toDecathlonLabels(new PhantomGenerator(new Dims(20, 24, 16), 3).generate("x", 6).seg());
    writeDecathlonCase(task, "imagesTr", wrong, 4, small);
    writeDecathlonCase(task, "imagesTs", gen.generate("BRATS_485", 485), 4, null);
    return task;
  }

  static Set<Integer> labelValues(Path file) throws IOException {
    Set<Integer> out = new TreeSet<>();
    for (float v : NiftiReader.withDefaults().read(file).data()) {
      out.add((int) v);
    }
    return out;
  }

  @Test
  void aDecathlonTreeIsCrossValidatedAndSegmentedInItsOwnLabels() throws IOException {
    Path task = decathlonTree(dir.resolve("Task01_BrainTumour"));
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
      Set<Integer> values = labelValues(merged.resolve(id + ".nii.gz"));
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
                    1,
                    e.threshold(),
                    e.merge(),
                    Precision.FP32,
                    false,
                    2,
                    1,
                    0.25,
                    Integer.MAX_VALUE - 8L,
                    StaleOutputs.STOP));
    // segment reads no labels: only the three-sequence case fails
    assertEquals(6, seg.count("ok"));
    assertEquals(
        List.of("BRATS_005"), seg.errors().stream().map(SegmentStage.Row::caseId).toList());
    Set<Integer> test = labelValues(out.resolve("labelmaps/BRATS_485.nii.gz"));
    assertTrue(Set.of(0, 1, 2, 3).containsAll(test), test.toString());
    assertEquals(ctbl, Files.readString(out.resolve("labelmaps/labels.ctbl")));
  }
}
