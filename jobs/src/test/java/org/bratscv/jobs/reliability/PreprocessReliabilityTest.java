package org.bratscv.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.reliability.BrokenCorpus.BrokenCase;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CaseManifestRow;
import org.bratscv.jobs.stages.CaseRecord;
import org.bratscv.jobs.stages.PreparedCaseFiles;
import org.bratscv.jobs.stages.PreprocessStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability promise 1: bad inputs never stop a run. The preprocess stage runs once over a corpus
 * of good synthetic cases mixed with one broken case per kind of damage ({@link BrokenCorpus});
 * every good case must come through complete, every broken one must be exactly one error row that
 * names the case, the file and the problem, and nothing half-written may remain.
 */
class PreprocessReliabilityTest {
  private static final int GOOD_CASES = 3;
  private static final Set<Normalization> BOTH = EnumSet.of(Normalization.A, Normalization.B);

  @TempDir static Path dir;

  private static SparkSession spark;
  private static BrokenCorpus.Corpus corpus;
  private static OutputRoot out;
  private static PreprocessStage.Result result;

  @BeforeAll
  static void preprocessTheCorpus() throws IOException {
    spark = SparkSessions.getOrCreate("reliability-test", Map.of("spark.master", "local[2]"));
    corpus = BrokenCorpus.write(dir.resolve("archive"), GOOD_CASES, true);
    out = new OutputRoot(dir.resolve("out").toString());
    // the default limit, as a run without data.max_voxel_bytes has it
    result =
        new PreprocessStage()
            .run(
                spark,
                new PreprocessStage.Settings(
                    corpus.root().toString(),
                    out,
                    BOTH,
                    null,
                    3,
                    NiftiReader.DEFAULT_MAX_VOXEL_BYTES));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void theCorpusHoldsEveryKindOfDamage() {
    assertEquals(EnumSet.allOf(BrokenCorpus.Kind.class), corpus.broken().keySet());
    assertEquals(GOOD_CASES + BrokenCorpus.Kind.values().length, corpus.allCaseIds().size());
  }

  @Test
  void everyGoodCaseIsPreparedAndEveryBrokenOneIsAnError() {
    assertEquals(
        corpus.goodCaseIds(), result.ok().stream().map(CaseManifestRow::getCaseId).toList());
    assertEquals(
        corpus.broken().values().stream().map(BrokenCase::caseId).sorted().toList(),
        result.errors().stream().map(CaseManifestRow::getCaseId).toList());
  }

  @Test
  void eachBrokenCaseIsOneErrorRowNamingTheCaseTheFileAndTheProblem() {
    assertErrorRowsArePrecise(corpus, result);
  }

  @Test
  void theUnlabelledVariantHasNoSegKindsAndFailsTheSameWay() throws IOException {
    BrokenCorpus.Corpus unlabelled = BrokenCorpus.write(dir.resolve("unlabelled"), 1, false);
    assertTrue(
        unlabelled.broken().keySet().stream().noneMatch(BrokenCorpus.Kind::needsLabels),
        unlabelled.broken().keySet().toString());
    PreprocessStage.Result r =
        new PreprocessStage()
            .run(
                spark,
                new PreprocessStage.Settings(
                    unlabelled.root().toString(),
                    new OutputRoot(dir.resolve("unlabelled-out").toString()),
                    EnumSet.of(Normalization.A),
                    null,
                    4,
                    NiftiReader.DEFAULT_MAX_VOXEL_BYTES));
    assertEquals(
        List.of("BraTS20_Validation_001"),
        r.ok().stream().map(CaseManifestRow::getCaseId).toList());
    assertTrue(r.ok().stream().noneMatch(CaseManifestRow::getHasLabel));
    assertEquals(
        unlabelled.allCaseIds(), r.rows().stream().map(CaseManifestRow::getCaseId).toList());
    assertErrorRowsArePrecise(unlabelled, r);
  }

  /** Each broken case of {@code c} is one error row naming the case, the file and the problem. */
  private static void assertErrorRowsArePrecise(BrokenCorpus.Corpus c, PreprocessStage.Result r) {
    List<String> wrong = new ArrayList<>();
    for (BrokenCase b : c.broken().values()) {
      List<CaseManifestRow> rows =
          r.rows().stream().filter(x -> x.getCaseId().equals(b.caseId())).toList();
      assertEquals(1, rows.size(), b.kind() + ": rows " + rows.size());
      CaseManifestRow row = rows.get(0);
      String reason = row.getReason();
      boolean precise =
          CaseManifestRow.ERROR.equals(row.getStatus())
              && reason.startsWith("case " + b.caseId() + ": ")
              && reason.contains(b.file())
              && reason.contains(b.reasonFragment());
      if (!precise) {
        wrong.add(
            b.kind() + " (" + b.file() + ", expected '" + b.reasonFragment() + "'): " + reason);
      }
    }
    assertEquals(List.of(), wrong, String.join("\n", wrong));
  }

  @Test
  void theManifestHoldsEachCaseExactlyOnceInBothFormats() throws IOException {
    List<String> all = corpus.allCaseIds();
    assertEquals(all, result.rows().stream().map(CaseManifestRow::getCaseId).toList());

    List<String> csv = Files.readAllLines(dir.resolve("out/preprocess/manifest.csv"));
    List<String> csvIds = csv.stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).toList();
    assertEquals(all, csvIds);

    List<Row> parquet =
        spark
            .read()
            .parquet(dir.resolve("out/preprocess/manifest.parquet").toString())
            .collectAsList();
    assertEquals(all, parquet.stream().map(row -> row.<String>getAs("caseId")).sorted().toList());
    for (Row row : parquet) {
      String id = row.getAs("caseId");
      String expected = corpus.brokenCase(id) == null ? "ok" : "error";
      assertEquals(expected, row.getAs("status"), id);
    }
  }

  @Test
  void everyPreparedFileIsCompleteAndBrokenCasesLeaveNoFolder() throws IOException {
    FileSystem fs = out.fileSystem(new Configuration());
    NiftiReader reader = NiftiReader.withDefaults();
    Path cases = dir.resolve("out/preprocess/cases");
    assertEquals(new TreeSet<>(corpus.goodCaseIds()), listNames(cases));
    for (String id : corpus.goodCaseIds()) {
      Path caseDir = cases.resolve(id);
      CaseRecord record = PreparedCaseFiles.readRecord(fs, PreparedCaseFiles.caseDir(out, id));
      assertEquals(new Dims(24, 24, 16), Dims.of(record.originalDims()), id);
      Dims box = record.crop().box().dims();

      Set<String> expected = new TreeSet<>();
      expected.add(PreparedCaseFiles.CASE_JSON);
      expected.add(PreparedCaseFiles.SEG);
      for (Normalization n : BOTH) {
        for (Modality m : Modality.values()) {
          expected.add(PreparedCaseFiles.channelFile(n, m));
        }
      }
      assertEquals(expected, listNames(caseDir), id);

      for (String name : expected) {
        if (name.equals(PreparedCaseFiles.CASE_JSON)) {
          continue;
        }
        Path f = caseDir.resolve(name);
        NiftiImage image = reader.read(f);
        NiftiDataType type =
            name.equals(PreparedCaseFiles.SEG) ? NiftiDataType.UINT8 : NiftiDataType.FLOAT32;
        assertEquals(box, image.header().spatialDims(), id + "/" + name);
        assertEquals(type, image.header().dataType(), id + "/" + name);
        assertEquals(
            NiftiHeader.NIFTI1_VOX_OFFSET + box.voxelCount() * type.bytesPerVoxel(),
            Files.size(f),
            id + "/" + name);
        float[] v = image.data();
        for (float x : v) {
          assertTrue(Float.isFinite(x), id + "/" + name + " holds " + x);
        }
      }
    }
  }

  @Test
  void noTemporaryOrPartialFileRemains() throws IOException {
    try (Stream<Path> all = Files.walk(dir.resolve("out"))) {
      List<String> leftovers =
          all.map(p -> dir.relativize(p).toString())
              .filter(
                  p -> {
                    String name = Path.of(p).getFileName().toString();
                    return name.startsWith(OutputRoot.TEMP_PREFIX)
                        || name.endsWith(".part")
                        || name.equals("_temporary")
                        || (name.startsWith(".") && !name.endsWith(".crc"));
                  })
              .toList();
      assertEquals(List.of(), leftovers);
    }
  }

  /** File and folder names in {@code folder}, without Hadoop's {@code .crc} side files. */
  private static Set<String> listNames(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.endsWith(".crc"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
