package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.run.ModelPackage;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.TrainedEnsemble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * README's "Models in and out" commands, run as written (demo-out/ moved into a temporary folder,
 * the repository's files found from its root) on a tiny trained run whose networks are the demo's
 * (width 8, GroupNorm A, InstanceNorm B, no deep supervision): export, zip, import and segment, and
 * the ensemble that comes back segments voxel for voxel as the run did.
 */
class ModelPackageCommandsTest {
  private static Path root;
  private static Path demo;

  @BeforeAll
  static void trainATinyRun() throws IOException {
    root = Files.createTempDirectory("model-package-test");
    demo = root.resolve("demo-out");
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 3);
    new PhantomArchive(gen, "Training", 1, true).write(demo.resolve("archive/train"), 4, id -> {});
    new PhantomArchive(gen, "Validation", 20, false)
        .write(demo.resolve("archive/test"), 2, id -> {});
    RunConfig c =
        RunConfig.of(
            ConfigTree.empty()
                .withAll(
                    List.of(
                        "data.train=" + demo.resolve("archive/train"),
                        "output=" + demo.resolve("run"),
                        "folds.k=2",
                        "pipelines.A.epochs=1",
                        "pipelines.A.network.width=8",
                        "pipelines.A.network.norm=group",
                        "pipelines.A.network.deep_supervision=false",
                        "pipelines.A.patch=[16,16,16]",
                        "pipelines.A.swa.enabled=false",
                        "pipelines.A.final_weights=last",
                        "pipelines.B.epochs=1",
                        "pipelines.B.batch=1",
                        "pipelines.B.network.width=8",
                        "pipelines.B.network.norm=instance",
                        "pipelines.B.network.deep_supervision=false",
                        "pipelines.B.patch=[16,16,16]",
                        "ensemble.tta=1",
                        "ensemble.merge=[A, B]",
                        "ensemble.brain_mask=true")));
    SparkSession spark =
        SparkSessions.getOrCreate("model-package-test", Map.of("spark.master", "local[2]"));
    try {
      CrossValidation cv = new CrossValidation(spark, c);
      cv.saveConfig();
      cv.preprocess();
      cv.folds();
      assertTrue(cv.train().failed().isEmpty());
    } finally {
      spark.stop();
    }
  }

  @AfterAll
  static void cleanUp() throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A README command's arguments after the jar, with its paths made to point at the test's. */
  private static String[] arguments(List<String> command) {
    assertEquals(List.of("java", "-jar", "jobs/target/brats-cv.jar"), command.subList(0, 3));
    return command.subList(3, command.size()).stream()
        .map(
            a ->
                a.startsWith("demo-out/")
                    ? root.resolve(a).toString()
                    : a.contains("/") && Files.exists(ReadmeBlocks.repository().resolve(a))
                        ? ReadmeBlocks.repository().resolve(a).toString()
                        : a)
        .toArray(String[]::new);
  }

  private static void run(String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r.out() + r.err());
  }

  private static List<Path> labelmaps(Path segmentOut) throws IOException {
    try (Stream<Path> s = Files.list(segmentOut.resolve("labelmaps"))) {
      // the labelmaps only: not the hidden .crc the local Hadoop file system keeps beside each
      // file, nor the viewer colour tables
      return s.filter(
              p -> {
                String name = p.getFileName().toString();
                return !name.startsWith(".") && name.endsWith(".nii.gz");
              })
          .sorted()
          .toList();
    }
  }

  private static void assertSameLabelmaps(Path expected, Path actual) throws IOException {
    List<Path> want = labelmaps(expected);
    assertEquals(2, want.size());
    NiftiReader reader = NiftiReader.withDefaults();
    for (Path w : want) {
      Path g = actual.resolve("labelmaps").resolve(w.getFileName());
      assertArrayEquals(reader.read(w).data(), reader.read(g).data(), g.toString());
    }
  }

  @Test
  void readmeCommandsExportImportAndSegmentAsTheRunDidVoxelForVoxel() throws Exception {
    run(
        "segment",
        "--models",
        demo.resolve("run").toString(),
        "--input",
        demo.resolve("archive/test").toString(),
        "--output",
        demo.resolve("segment").toString());
    List<List<String>> commands = ReadmeBlocks.commands("## Models in and out");
    assertTrue(commands.size() >= 5, "README shows " + commands);
    for (List<String> c : commands) {
      run(arguments(c));
    }

    // the package: a manifest and one reference-named file per model
    Path pkg = demo.resolve("model");
    try (Stream<Path> files = Files.list(pkg)) {
      assertEquals(
          List.of(
              "A-fold0.safetensors",
              "A-fold1.safetensors",
              "B-fold0.safetensors",
              "B-fold1.safetensors",
              "manifest.json"),
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.startsWith("."))
              .sorted()
              .toList());
    }
    Configuration conf = new Configuration();
    ModelPackage.Manifest m =
        ModelPackage.readManifest(
            org.apache.hadoop.fs.FileSystem.getLocal(conf),
            new org.apache.hadoop.fs.Path(pkg.toString()));
    assertEquals(ModelPackage.FORMAT, m.format());
    assertEquals("baseline", m.variant());
    assertEquals(List.of("t1", "t1ce", "t2", "flair"), m.inputChannels());
    assertEquals(List.of("ET", "TC", "WT"), m.outputChannels());
    assertEquals(
        new ModelPackage.EnsembleSettings(1, 0.5, List.of("A", "B"), "fp32", true), m.ensemble());
    // the run's ensemble.brain_mask travels: segment --models RUN reads it from config.yaml, the
    // package from its manifest
    assertTrue(
        org.bratscv.jobs.stages.TrainedEnsemble.load(conf, demo.resolve("run").toString(), null)
            .labeling()
            .brainMask());
    assertTrue(
        org.bratscv.jobs.stages.TrainedEnsemble.load(conf, pkg.toString(), null)
            .labeling()
            .brainMask());
    ModelPackage.Member a0 = m.members().get(0);
    assertEquals("EquiUnet", a0.architecture());
    assertEquals(8, a0.width());
    assertEquals("group", a0.norm());
    assertEquals("A", a0.normalization());
    assertEquals("instance", m.members().get(2).norm());
    assertEquals("B", m.members().get(2).normalization());
    assertTrue(m.provenance().get("source").contains("models.csv"), m.provenance().toString());
    try (ZipFile zip = new ZipFile(demo.resolve("model.zip").toFile())) {
      assertTrue(zip.getEntry("manifest.json") != null);
      try (InputStream in = zip.getInputStream(zip.getEntry("A-fold0.safetensors"))) {
        assertArrayEquals(
            Files.readAllBytes(pkg.resolve("A-fold0.safetensors")), in.readAllBytes());
      }
    }
    String header = new String(Files.readAllBytes(pkg.resolve("A-fold0.safetensors")), "UTF-8");
    assertTrue(header.contains("\"encoder1.ConvBnRelu1.conv.weight\""));
    assertTrue(header.contains("\"bottom_2.bn.bias\""));

    // the zip segments as the run did (the README's segment --models demo-out/model.zip)
    assertSameLabelmaps(demo.resolve("segment"), demo.resolve("segment-zip"));

    // the package imported from the exported manifest is the same ensemble, voxel for voxel
    TrainedEnsemble imported =
        TrainedEnsemble.load(conf, demo.resolve("imported.zip").toString(), null);
    assertEquals(4, imported.modelCount());
    assertEquals(List.of("A", "B"), imported.labeling().merge());
    run(
        "segment",
        "--models",
        demo.resolve("imported.zip").toString(),
        "--input",
        demo.resolve("archive/test").toString(),
        "--output",
        demo.resolve("segment-imported").toString());
    assertSameLabelmaps(demo.resolve("segment"), demo.resolve("segment-imported"));

    // the one-model import of pipeline A's fold 0
    TrainedEnsemble one = TrainedEnsemble.load(conf, demo.resolve("imported").toString(), null);
    assertEquals(1, one.modelCount());
    assertEquals(1, one.labeling().tta());
    assertEquals("imported", one.variant());

    // a member file changed after export is refused, naming the file
    Path copy = root.resolve("tampered");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(pkg)) {
      // the package as another tool copies it: without the local file system's .crc files
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().startsWith(".")) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
    }
    byte[] bytes = Files.readAllBytes(copy.resolve("B-fold1.safetensors"));
    bytes[bytes.length - 1] ^= 1;
    Files.write(copy.resolve("B-fold1.safetensors"), bytes);
    IOException e =
        assertThrows(IOException.class, () -> TrainedEnsemble.load(conf, copy.toString(), null));
    assertTrue(
        e.getMessage().contains("member file B-fold1.safetensors has SHA-256"), e.getMessage());
  }

  @Test
  void importRefusesWeightsOfAnotherNetworkNamingTheFileAndTheDifference() throws Exception {
    Path out = root.resolve("other-export");
    run("model", "export", "--run", demo.resolve("run").toString(), "--out", out.toString());
    Path weights = out.resolve("A-fold0.safetensors");
    CliRun wrong =
        CliRun.of(
            "model",
            "import",
            "--weights",
            weights.toString(),
            "--arch",
            "Att_EquiUnet",
            "--width",
            "8",
            "--out",
            root.resolve("never").toString());
    assertEquals(2, wrong.exitCode());
    assertTrue(
        wrong.err().contains(weights + ": not the state dict of the reference's Att_EquiUnet"),
        wrong.err());
    assertTrue(wrong.err().contains("missing: encoder1.UBlock.ConvBnRelu1.conv.weight"));
    assertFalse(Files.exists(root.resolve("never")), "nothing is written");

    CliRun neither = CliRun.of("model", "import", "--out", root.resolve("never").toString());
    assertEquals(2, neither.exitCode());
    assertTrue(neither.err().contains("--manifest FILE or --weights"), neither.err());
  }
}
