package org.bratscv.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.jobs.io.HadoopCheckpointStore;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CaseManifestRow;
import org.bratscv.jobs.stages.PreprocessStage;
import org.bratscv.model.train.checkpoint.CheckpointStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability promise 3: nothing is written outside the output root, whatever the case ids, folder
 * names or file names of the archive contain. An archive full of hostile names goes through the
 * preprocess stage; afterwards every file under the test folder is either an untouched input or
 * under the output root. The writers' own guards are hit with the same names directly.
 */
class OutputConfinementTest {
  /** Names that must never become a path below the output root. */
  static final List<String> HOSTILE_NAMES =
      List.of(
          "..",
          "../../escaped",
          "/tmp/absolute",
          "a/../../b",
          "..\\..\\escaped",
          "~",
          "$HOME",
          "caf\u00e9",
          "\u202eevil",
          "x".repeat(201),
          "line\nbreak",
          "with space",
          ".hidden");

  @TempDir Path dir;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("confinement-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void hostileCaseIdsFolderAndFileNamesWriteNothingOutsideTheOutputRoot() throws IOException {
    Path archive = dir.resolve("archive with spaces \u00fc");
    PhantomGenerator generator = new PhantomGenerator(BrokenCorpus.DIMS, 5);
    new PhantomArchive(generator, "Training", 1, true).write(archive, 1, id -> {});
    // a good case two folders down, under odd folder names
    new PhantomArchive(generator, "Training", 2, true)
        .write(archive.resolve("sub dir \u00fc").resolve("$(touch pwned) ; .."), 1, id -> {});
    // a good case whose seg file carries a hostile name (taken as the one misnamed seg)
    new PhantomArchive(generator, "Training", 3, true).write(archive, 1, id -> {});
    Path case3 = archive.resolve("BraTS20_Training_003");
    Files.move(
        case3.resolve("BraTS20_Training_003_seg.nii.gz"),
        case3.resolve("..\\..\\seg \u00e9vil $(rm -rf x).nii.gz"));
    // a case id of the layout's form, but too long to be an output name
    String longId = "BraTS20_Training_" + "7".repeat(220);
    copyCase(archive.resolve("BraTS20_Training_001"), "BraTS20_Training_001", archive, longId);
    // folders whose names follow no layout (trailing space, Arabic-Indic digits, encoded dots, a
    // colon, which a Hadoop path cannot hold in a relative name)
    for (String name :
        List.of(
            "BraTS20_Training_004 ",
            "BraTS20_Training_\u0660\u0660\u0665",
            "%2e%2e%2fBraTS20_Training_006",
            "BraTS20_Training_007:copy")) {
      copyCase(archive.resolve("BraTS20_Training_001"), "BraTS20_Training_001", archive, name);
    }
    Map<String, String> inputsBefore = snapshot(archive);

    Path outDir = dir.resolve("out \u00fc").resolve("run 1");
    OutputRoot out = new OutputRoot(outDir.toString());
    PreprocessStage.Result r =
        new PreprocessStage()
            .run(
                spark,
                new PreprocessStage.Settings(
                    archive.toString(), out, EnumSet.of(Normalization.A), null, 2, 1L << 30));

    assertEquals(
        List.of("BraTS20_Training_001", "BraTS20_Training_002", "BraTS20_Training_003"),
        r.ok().stream().map(CaseManifestRow::getCaseId).toList());
    assertEquals(8, r.rows().size());
    CaseManifestRow tooLong =
        r.rows().stream().filter(x -> x.getCaseId().equals(longId)).findFirst().orElseThrow();
    assertTrue(tooLong.getReason().contains("refusing output name"), tooLong.getReason());
    for (CaseManifestRow row : r.errors()) {
      assertTrue(row.getReason().startsWith("case " + row.getCaseId() + ": "), row.getReason());
    }

    assertEquals(inputsBefore, snapshot(archive), "the archive was changed");
    assertEverythingIsUnder(dir, List.of(archive, outDir));
    try (Stream<Path> cases = Files.list(outDir.resolve("preprocess/cases"))) {
      assertEquals(
          List.of("BraTS20_Training_001", "BraTS20_Training_002", "BraTS20_Training_003"),
          cases.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertTrue(Files.exists(outDir.resolve("preprocess/cases/BraTS20_Training_003/seg.nii")));
  }

  @Test
  void outputRootAndCheckpointStoreRefuseEveryHostileName() throws IOException {
    Path outDir = dir.resolve("out");
    OutputRoot out = new OutputRoot(outDir.toString());
    FileSystem fs = out.fileSystem(new Configuration());
    HadoopCheckpointStore store = new HadoopCheckpointStore(fs, out.resolve("train", "A-fold0"));
    CheckpointStore.Payload payload = o -> o.write("x".getBytes(StandardCharsets.UTF_8));
    for (String name : HOSTILE_NAMES) {
      assertThrows(
          IllegalArgumentException.class,
          () -> out.resolve("predictions", name),
          "resolve " + name);
      assertThrows(
          IllegalArgumentException.class, () -> store.put(name, payload), "checkpoint " + name);
      assertThrows(
          IllegalArgumentException.class,
          () -> store.put("final/" + name, payload),
          "checkpoint final/" + name);
    }
    // the same writers with plain names do write, so the refusals above are the guard at work
    OutputRoot.writeAtomically(fs, out.resolve("predictions", "plain.txt"), payload::writeTo);
    store.put("final/weights.bin", payload);
    assertTrue(Files.exists(outDir.resolve("predictions/plain.txt")));
    assertTrue(Files.exists(outDir.resolve("train/A-fold0/final/weights.bin")));
    assertEverythingIsUnder(dir, List.of(outDir));
  }

  /** Copies the files of case {@code fromId} into a new folder {@code toName}, renamed to it. */
  private static void copyCase(Path from, String fromId, Path archive, String toName)
      throws IOException {
    Path to = Files.createDirectories(archive.resolve(toName));
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString().replace(fromId, toName);
        Files.copy(f, to.resolve(name));
      }
    }
  }

  /** Every file under {@code root}: relative path to size and modification time. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        files.put(
            root.relativize(p).toString(),
            a.isDirectory() ? "dir" : a.size() + " bytes, " + a.lastModifiedTime());
      }
    }
    return files;
  }

  /**
   * Fails for any file or folder under {@code top} that is not one of, or inside, {@code roots}.
   */
  private static void assertEverythingIsUnder(Path top, List<Path> roots) throws IOException {
    try (Stream<Path> all = Files.walk(top)) {
      List<String> outside =
          all.filter(p -> !p.equals(top))
              .filter(p -> roots.stream().noneMatch(r -> p.startsWith(r) || r.startsWith(p)))
              .map(p -> top.relativize(p).toString())
              .toList();
      assertEquals(List.of(), outside, "written outside the output root");
    }
  }
}
