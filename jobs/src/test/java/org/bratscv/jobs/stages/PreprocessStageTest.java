package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.spark.SparkSessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessStageTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("preprocess-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void goodCasesArePreparedAndBadOnesBecomeErrorRowsAndARerunSkipsCompleteWork()
      throws IOException {
    Path archive = dir.resolve("archive");
    new PhantomArchive(new PhantomGenerator(new Dims(32, 32, 24), 1), "Training", 1, true)
        .write(archive, 3, id -> {});
    // case 2: a truncated FLAIR; case 3: no T1Gd
    Path flair = archive.resolve("BraTS20_Training_002/BraTS20_Training_002_flair.nii.gz");
    byte[] bytes = Files.readAllBytes(flair);
    Files.write(flair, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Files.delete(archive.resolve("BraTS20_Training_003/BraTS20_Training_003_t1ce.nii.gz"));

    OutputRoot out = new OutputRoot(dir.resolve("out").toString());
    PreprocessStage.Settings s =
        new PreprocessStage.Settings(
            archive.toString(),
            out,
            EnumSet.of(Normalization.A, Normalization.B),
            null,
            2,
            1L << 30);
    PreprocessStage.Result r = new PreprocessStage().run(spark, s);

    assertEquals(
        List.of("BraTS20_Training_001", "BraTS20_Training_002", "BraTS20_Training_003"),
        r.rows().stream().map(CaseManifestRow::getCaseId).toList());
    assertEquals(
        List.of("BraTS20_Training_001"), r.ok().stream().map(CaseManifestRow::getCaseId).toList());
    CaseManifestRow truncated = r.rows().get(1);
    assertEquals("error", truncated.getStatus());
    assertTrue(
        truncated.getReason().contains("BraTS20_Training_002_flair.nii.gz"), truncated.getReason());
    CaseManifestRow missing = r.rows().get(2);
    assertTrue(missing.getReason().contains("missing t1ce"), missing.getReason());

    FileSystem fs = out.fileSystem(new Configuration());
    PreparedCase pc =
        PreparedCaseFiles.read(
            fs,
            PreparedCaseFiles.caseDir(out, "BraTS20_Training_001"),
            EnumSet.of(Normalization.A, Normalization.B),
            NiftiReader.withDefaults());
    assertEquals(pc.crop().box().dims(), pc.image(Normalization.A).dims());
    assertEquals(new Dims(32, 32, 24), pc.crop().original().dims());
    assertTrue(pc.hasLabels());

    List<String> csv = Files.readAllLines(dir.resolve("out/preprocess/manifest.csv"));
    assertEquals(
        "case_id,status,reason,layout,has_label,dims,box,seconds,folder,fingerprint", csv.get(0));
    assertEquals(4, csv.size());
    List<Row> parquet =
        spark
            .read()
            .parquet(dir.resolve("out/preprocess/manifest.parquet").toString())
            .collectAsList();
    assertEquals(3, parquet.size());

    // a rerun keeps the complete case as it is and adds no rows
    Path t1 = dir.resolve("out/preprocess/cases/BraTS20_Training_001/A_t1.nii");
    long before = Files.getLastModifiedTime(t1).toMillis();
    byte[] content = Files.readAllBytes(t1);
    PreprocessStage.Result again = new PreprocessStage().run(spark, s);
    assertEquals(3, again.rows().size());
    assertEquals(before, Files.getLastModifiedTime(t1).toMillis());
    assertArrayEquals(content, Files.readAllBytes(t1));
    assertEquals(4, Files.readAllLines(dir.resolve("out/preprocess/manifest.csv")).size());
    assertEquals(
        3, spark.read().parquet(dir.resolve("out/preprocess/manifest.parquet").toString()).count());
  }
}
