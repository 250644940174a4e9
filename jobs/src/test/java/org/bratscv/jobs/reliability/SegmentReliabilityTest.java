package org.bratscv.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.Csv;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.reliability.BrokenCorpus.BrokenCase;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.StaleOutputs;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.SegmentStage;
import org.bratscv.jobs.stages.TrainedEnsemble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability promise 1 through {@code segment}: an unlabelled archive of good cases mixed with one
 * broken case per kind of damage that an unlabelled case can have ({@link BrokenCorpus}) is
 * segmented by a tiny trained ensemble. Every good case gets a complete labelmap on its T1 grid,
 * every broken case exactly one error row naming the case, the file and the problem, and nothing
 * half-written remains.
 */
class SegmentReliabilityTest {
  private static final int GOOD_CASES = 3;

  @TempDir static Path dir;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("segment-reliability", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void badCasesAreErrorRowsAndTheGoodOnesAreSegmented() throws IOException {
    // a tiny run of pipeline A to segment with
    Path train = dir.resolve("train");
    new PhantomArchive(new PhantomGenerator(BrokenCorpus.DIMS, 7), "Training", 1, true)
        .write(train, 4, id -> {});
    RunConfig c =
        RunConfig.of(
            ConfigTree.empty()
                .withAll(
                    List.of(
                        "data.train=" + train,
                        "output=" + dir.resolve("run"),
                        "folds.k=2",
                        "pipelines.A.epochs=1",
                        "pipelines.A.network.width=2",
                        "pipelines.A.patch=[16,16,16]",
                        "pipelines.A.swa.enabled=false",
                        "pipelines.A.final_weights=last",
                        "ensemble.tta=1")));
    CrossValidation cv = new CrossValidation(spark, c);
    cv.saveConfig();
    cv.preprocess();
    cv.folds();
    assertTrue(cv.train().failed().isEmpty());

    BrokenCorpus.Corpus corpus = BrokenCorpus.write(dir.resolve("archive"), GOOD_CASES, false);
    TrainedEnsemble e =
        TrainedEnsemble.load(
            spark.sparkContext().hadoopConfiguration(), dir.resolve("run").toString(), null);
    Path out = dir.resolve("seg");
    SegmentStage.Result r =
        new SegmentStage()
            .run(
                spark,
                new SegmentStage.Settings(
                    corpus.root().toString(),
                    new OutputRoot(out.toString()),
                    e.members(),
                    null,
                    e.labeling(),
                    false,
                    false,
                    3,
                    1,
                    0.25,
                    NiftiReader.DEFAULT_MAX_VOXEL_BYTES,
                    StaleOutputs.STOP,
                    ""));

    // one row per case, never twice
    List<String> ids = r.rows().stream().map(SegmentStage.Row::caseId).toList();
    assertEquals(corpus.allCaseIds(), ids);
    assertEquals(ids.size(), new TreeSet<>(ids).size());
    List<String[]> csv = Csv.parse(Files.readString(out.resolve(RunFolder.SEGMENT_CSV)));
    assertEquals(1 + ids.size(), csv.size());

    List<String> problems = new ArrayList<>();
    NiftiReader reader = NiftiReader.withDefaults();
    for (SegmentStage.Row row : r.rows()) {
      BrokenCase broken = corpus.brokenCase(row.caseId());
      if (broken == null) {
        assertEquals("ok", row.status(), row.caseId() + ": " + row.reason());
        // complete: readable, on the grid of the case's T1
        Path labelmap = out.resolve(RunFolder.LABELMAPS).resolve(row.caseId() + ".nii.gz");
        assertEquals(new org.apache.hadoop.fs.Path(labelmap.toString()).toString(), row.labelmap());
        NiftiImage label = reader.read(labelmap);
        NiftiHeader t1 =
            reader.readHeader(
                corpus
                    .root()
                    .resolve(row.caseId())
                    .resolve(row.caseId() + "_" + Modality.T1.name().toLowerCase() + ".nii.gz"));
        assertEquals(t1.spatialDims(), label.header().spatialDims());
        assertEquals(t1.affine(), label.header().affine());
        continue;
      }
      if (!row.status().equals("error")) {
        problems.add(broken.kind() + " (" + row.caseId() + "): not an error row");
        continue;
      }
      String reason = row.reason();
      if (!reason.contains(row.caseId())
          || !reason.contains(broken.file())
          || !reason.contains(broken.reasonFragment())) {
        problems.add(
            broken.kind()
                + ": reason '"
                + reason
                + "' should name "
                + row.caseId()
                + ", "
                + broken.file()
                + " and '"
                + broken.reasonFragment()
                + "'");
      }
      assertNull(
          existing(out.resolve(RunFolder.LABELMAPS).resolve(row.caseId() + ".nii.gz")),
          "no labelmap for a broken case");
    }
    assertEquals(List.of(), problems);
    assertEquals(GOOD_CASES, r.count("ok"));

    try (Stream<Path> all = Files.walk(out)) {
      List<Path> files = all.filter(Files::isRegularFile).toList();
      assertEquals(
          List.of(),
          files.stream().filter(p -> p.getFileName().toString().contains("_tmp.")).toList(),
          "no temporary file remains");
      long labelmaps =
          files.stream()
              .filter(p -> p.getParent().endsWith(RunFolder.LABELMAPS))
              .filter(p -> p.getFileName().toString().endsWith(RunFolder.NIFTI_GZ))
              .count();
      assertEquals(GOOD_CASES, labelmaps);
      // beside them, once, the viewers' colour tables
      assertTrue(
          Files.exists(out.resolve(RunFolder.LABELMAPS).resolve(RunFolder.SLICER_COLOUR_TABLE)));
      assertTrue(Files.exists(out.resolve(RunFolder.LABELMAPS).resolve(RunFolder.ITKSNAP_LABELS)));
    }
    assertNotNull(existing(out.resolve(RunFolder.SEGMENT_CSV)));
  }

  private static Path existing(Path p) {
    return Files.exists(p) ? p : null;
  }
}
