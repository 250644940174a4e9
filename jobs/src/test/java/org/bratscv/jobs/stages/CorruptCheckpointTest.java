package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.bratscv.data.cases.BratsCase;
import org.bratscv.data.cases.CaseDiscovery;
import org.bratscv.data.cases.LocalCaseStore;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.NetworkSettings;
import org.bratscv.jobs.io.HadoopCheckpointStore;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;
import org.bratscv.model.infer.Precision;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import org.bratscv.model.train.FoldTrainer;
import org.bratscv.model.train.checkpoint.CheckpointManifest;
import org.bratscv.model.train.checkpoint.Checkpoints;
import org.bratscv.model.train.checkpoint.ModelWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability promise 6: a corrupted checkpoint or model file is detected with a clear error, never
 * silently loaded. A tiny network's final checkpoint is written with the {@link Checkpoints} API on
 * the Hadoop file system, as the train stage writes it, then damaged in each way a disk, a copy or
 * a person can damage it; the executor-side loader ({@link LoadedModels}) and the infer stage must
 * refuse it, naming the checkpoint and the file. The model module's {@code CheckpointsTest} covers
 * the checksums themselves on a local store; this covers the path inference really takes.
 */
class CorruptCheckpointTest {
  private static final NetworkSettings NETWORK =
      new NetworkSettings(2, Norm.GROUP, false, false, 0f);

  @TempDir Path dir;

  @BeforeAll
  static void startEngine() {
    TorchEngine.start(EngineSettings.defaults().withThreads(1, 1));
  }

  /** One way to damage the {@code final} folder, and what the error must then say. */
  private enum Damage {
    /** A bit flip on disk: Hadoop's own .crc side file catches it first. */
    BYTE_FLIPPED_ON_DISK("weights.bin", "Checksum error"),
    /** A bad copy written through the file system (its .crc agrees): the SHA-256 catches it. */
    BYTE_FLIPPED_IN_A_COPY("weights.bin", "but the manifest records"),
    TRUNCATED_COPY("weights.bin", "but the manifest records"),
    /** Caught by whichever check meets it first: the .crc file, or the recorded size. */
    TRUNCATED_ON_DISK("weights.bin", ""),
    WEIGHTS_DELETED("weights.bin", "is missing"),
    DIGEST_DELETED("manifest.sha256", "is missing"),
    MANIFEST_EDITED("manifest.json", "but manifest.sha256 says"),
    MANIFEST_DELETED("manifest.json", "not a complete checkpoint");

    final String file;
    final String fragment;

    Damage(String file, String fragment) {
      this.file = file;
      this.fragment = fragment;
    }

    void apply(FileSystem fs, Path finalDir) throws IOException {
      Path weights = finalDir.resolve(Checkpoints.WEIGHTS);
      Path manifest = finalDir.resolve(Checkpoints.MANIFEST);
      switch (this) {
        case BYTE_FLIPPED_ON_DISK -> {
          byte[] b = Files.readAllBytes(weights);
          b[b.length / 2] ^= 0x10;
          Files.write(weights, b);
        }
        case BYTE_FLIPPED_IN_A_COPY -> {
          byte[] b = Files.readAllBytes(weights);
          b[b.length / 2] ^= 0x10;
          rewrite(fs, weights, b);
        }
        case TRUNCATED_COPY -> {
          byte[] b = Files.readAllBytes(weights);
          rewrite(fs, weights, java.util.Arrays.copyOf(b, b.length - 100));
        }
        case TRUNCATED_ON_DISK -> {
          byte[] b = Files.readAllBytes(weights);
          Files.write(weights, java.util.Arrays.copyOf(b, b.length - 100));
        }
        case WEIGHTS_DELETED -> fs.delete(hadoop(weights), false);
        case DIGEST_DELETED ->
            fs.delete(hadoop(finalDir.resolve(Checkpoints.MANIFEST_DIGEST)), false);
        case MANIFEST_EDITED -> {
          String json = Files.readString(manifest, StandardCharsets.UTF_8);
          String edited = json.replace("\"epoch\" : 3", "\"epoch\" : 30");
          assertFalse(json.equals(edited), "the manifest holds no epoch 3: " + json);
          rewrite(fs, manifest, edited.getBytes(StandardCharsets.UTF_8));
        }
        case MANIFEST_DELETED -> fs.delete(hadoop(manifest), false);
      }
    }
  }

  /**
   * A float16 network is cast in place, so the executor's cache keeps it apart from the float32 one
   * of the same checkpoint: neither user ever gets the other's weights.
   */
  @Test
  void float16AndFloat32NetworksOfOneCheckpointAreCachedApart() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Path taskDir = writeFinalCheckpoint(dir.resolve("precision"));
    EquiUnet half = LoadedModels.get(fs, hadoop(taskDir), NETWORK, Device.cpu(), Precision.FP16);
    EquiUnet full = LoadedModels.get(fs, hadoop(taskDir), NETWORK, Device.cpu());
    assertTrue(half != full, "two networks");
    assertTrue(
        half == LoadedModels.get(fs, hadoop(taskDir), NETWORK, Device.cpu(), Precision.FP16),
        "the float16 one is reused");
    for (int i = 0; i < full.getParameters().size(); i++) {
      ai.djl.nn.Parameter h = half.getParameters().get(i).getValue();
      ai.djl.nn.Parameter f = full.getParameters().get(i).getValue();
      assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, f.getArray().getDataType(), f.getName());
      assertEquals(
          org.bratscv.model.net.HalfPrecision.keptInFloat32(h)
              ? ai.djl.ndarray.types.DataType.FLOAT32
              : ai.djl.ndarray.types.DataType.FLOAT16,
          h.getArray().getDataType(),
          h.getName());
    }
  }

  @Test
  void everyDamagedCheckpointIsRefusedWithTheCheckpointAndFileNamed() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    // the undamaged checkpoint loads, so each refusal below is the damage being caught
    Path good = writeFinalCheckpoint(dir.resolve("good"));
    EquiUnet net = LoadedModels.get(fs, hadoop(good), NETWORK, Device.cpu());
    assertTrue(net.getParameters().size() > 0);

    List<String> wrong = new ArrayList<>();
    for (Damage d : Damage.values()) {
      Path taskDir = writeFinalCheckpoint(dir.resolve(d.name()));
      Path finalDir = taskDir.resolve(FoldTrainer.FINAL);
      d.apply(fs, finalDir);
      for (int attempt = 0; attempt < 2; attempt++) { // a failed load is not cached either
        IOException e =
            assertThrows(
                IOException.class,
                () -> LoadedModels.get(fs, hadoop(taskDir), NETWORK, Device.cpu()),
                d.name());
        String msg = String.valueOf(e.getMessage());
        if (!msg.contains(finalDir.toString())
            || !msg.contains(d.file)
            || !msg.contains(d.fragment)) {
          wrong.add(d + ": " + msg);
        }
      }
    }
    assertEquals(List.of(), wrong, String.join("\n", wrong));
  }

  @Test
  void inferStageReportsAnErrorRowForTheCaseInsteadOfUsingTheDamagedModel() throws IOException {
    OneCase one = prepareOneCase();
    BratsCase c = one.c();
    OutputRoot out = one.out();
    FileSystem fs = one.fs();
    HadoopConf hconf = one.hconf();
    NiftiReader reader = one.reader();
    String caseDir = one.caseDir();

    Path good = writeFinalCheckpoint(dir.resolve("models/A-fold0"));
    Path damaged = writeFinalCheckpoint(dir.resolve("models/A-fold1"));
    Damage.BYTE_FLIPPED_IN_A_COPY.apply(fs, damaged.resolve(FoldTrainer.FINAL));

    // one good model alone segments the case
    InferStage.Prediction ok =
        segment(c.id(), caseDir, out, "good", List.of(member(0, good)), hconf, fs, reader);
    assertTrue(ok.ok(), ok.error());
    NiftiImage labels =
        reader.read(Path.of(new org.apache.hadoop.fs.Path(ok.file()).toUri().getPath()));
    assertEquals(new Dims(24, 24, 16), labels.header().spatialDims());

    // an ensemble with the damaged model fails the case; it does not quietly vote without it
    InferStage.Prediction failed =
        segment(
            c.id(),
            caseDir,
            out,
            "mixed",
            List.of(member(0, good), member(1, damaged)),
            hconf,
            fs,
            reader);
    assertFalse(failed.ok());
    assertTrue(failed.error().startsWith("case " + c.id() + ": "), failed.error());
    assertTrue(
        failed.error().contains(damaged.resolve(FoldTrainer.FINAL).toString()), failed.error());
    assertTrue(failed.error().contains("weights.bin has "), failed.error());
    assertFalse(Files.exists(dir.resolve("out/predictions/mixed-A/" + c.id() + ".nii.gz")));
  }

  /**
   * Not damage but absence: when every model of one merged pipeline failed to train, the case still
   * gets the other pipeline's labelmap, and no merged one (before, the merge failed the whole
   * case).
   */
  @Test
  void aMergedPipelineWithoutModelsLeavesTheOtherPipelinesLabelmap() throws IOException {
    OneCase one = prepareOneCase();
    BratsCase c = one.c();
    InferStage.Settings s =
        new InferStage.Settings(
            one.out(),
            "test",
            new Labeling(1, 0.5, List.of("A", "B"), Precision.FP32, false),
            1,
            1,
            1.0,
            "");
    InferStage.Member onlyB =
        new InferStage.Member(
            "baseline",
            "B",
            0,
            hadoop(writeFinalCheckpoint(dir.resolve("models/B-fold0"))).toString(),
            Normalization.A,
            NETWORK,
            "");
    List<InferStage.Prediction> p =
        InferStage.segment(
            new InferStage.CaseJob(c.id(), one.caseDir(), Map.of("B", List.of(onlyB)), ""),
            s,
            one.hconf(),
            one.fs(),
            one.reader(),
            Device.cpu());

    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).ok(), p.get(0).error());
    assertEquals("test-B", p.get(0).labelmapSet());
    assertTrue(Files.exists(dir.resolve("out/predictions/test-B/" + c.id() + ".nii.gz")));
    assertFalse(Files.exists(dir.resolve("out/predictions/test-merged/" + c.id() + ".nii.gz")));
  }

  /** One synthetic test case, preprocessed for pipeline A under {@code out/}. */
  private record OneCase(
      BratsCase c,
      OutputRoot out,
      FileSystem fs,
      HadoopConf hconf,
      NiftiReader reader,
      String caseDir) {}

  private OneCase prepareOneCase() throws IOException {
    Path archive = dir.resolve("archive");
    new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 4), "Validation", 1, false)
        .write(archive, 1, id -> {});
    BratsCase c =
        new CaseDiscovery(new LocalCaseStore()).discover(archive.toString()).cases().get(0);
    OutputRoot out = new OutputRoot(dir.resolve("out").toString());
    Configuration conf = new Configuration();
    FileSystem fs = out.fileSystem(conf);
    HadoopConf hconf = new HadoopConf(conf);
    NiftiReader reader = NiftiReader.withDefaults();
    CaseManifestRow prepared =
        PreprocessStage.process(
            c,
            new PreprocessStage.Settings(
                archive.toString(), out, EnumSet.of(Normalization.A), null, 1, 1L << 30),
            fs,
            hconf,
            reader);
    assertTrue(prepared.isOk(), prepared.getReason());
    return new OneCase(
        c, out, fs, hconf, reader, PreparedCaseFiles.caseDir(out, c.id()).toString());
  }

  private static InferStage.Member member(int fold, Path taskDir) {
    return new InferStage.Member(
        "baseline", "A", fold, hadoop(taskDir).toString(), Normalization.A, NETWORK, "");
  }

  private static InferStage.Prediction segment(
      String caseId,
      String caseDir,
      OutputRoot out,
      String prefix,
      List<InferStage.Member> members,
      HadoopConf conf,
      FileSystem fs,
      NiftiReader reader) {
    InferStage.Settings s =
        new InferStage.Settings(
            out, prefix, new Labeling(1, 0.5, List.of(), Precision.FP32, false), 1, 1, 1.0, "");
    List<InferStage.Prediction> p =
        InferStage.segment(
            new InferStage.CaseJob(caseId, caseDir, Map.of("A", members), ""),
            s,
            conf,
            fs,
            reader,
            Device.cpu());
    assertEquals(1, p.size());
    return p.get(0);
  }

  /** A width-2 network's {@code final} checkpoint under {@code taskDir}, as training leaves it. */
  private static Path writeFinalCheckpoint(Path taskDir) throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      EquiUnet net = NETWORK.build();
      net.initialize(manager, 7);
      new Checkpoints(new HadoopCheckpointStore(fs, hadoop(taskDir)))
          .write(
              FoldTrainer.FINAL,
              Map.of(Checkpoints.WEIGHTS, o -> ModelWeights.write(net.getParameters(), o)),
              new CheckpointManifest(
                  CheckpointManifest.FORMAT,
                  "final",
                  3,
                  "test",
                  null,
                  -1,
                  null,
                  Map.of(),
                  0,
                  List.of(),
                  Map.of()));
    }
    return taskDir;
  }

  /** Replaces a file through the file system, so Hadoop's .crc side file matches the new bytes. */
  private static void rewrite(FileSystem fs, Path file, byte[] bytes) throws IOException {
    try (OutputStream o = fs.create(hadoop(file), true)) {
      o.write(bytes);
    }
  }

  private static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toAbsolutePath().toString());
  }
}
