package org.bratscv.model.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.nn.core.Linear;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bratscv.model.train.EpochLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

  @TempDir Path dir;

  private static CheckpointManifest manifest(int epoch) {
    return new CheckpointManifest(
        CheckpointManifest.FORMAT,
        "epoch",
        epoch,
        "abc123",
        0.25,
        epoch,
        "ranger",
        Map.of("weight", 12L),
        3,
        List.of(
            new EpochLog(0, "main", 0.9, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1e-4, 2),
            new EpochLog(1, "main", 0.8, 0.7, 0.5, 0.6, 0.75, 1e-4, 3)),
        Map.of());
  }

  private static Map<String, CheckpointStore.Payload> payloads() {
    Map<String, CheckpointStore.Payload> p = new LinkedHashMap<>();
    p.put("weights.bin", out -> out.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    p.put("optimizer.bin", out -> out.write("state".getBytes(StandardCharsets.UTF_8)));
    return p;
  }

  @Test
  void roundTripKeepsTheManifestAndRecordsEachPayloadsChecksum() throws IOException {
    Checkpoints cp = new Checkpoints(new LocalCheckpointStore(dir));
    cp.write("epoch-000001", payloads(), manifest(1));

    CheckpointManifest read = cp.readVerified("epoch-000001");

    assertEquals(1, read.epoch());
    assertEquals(0.25, read.bestValidationLoss());
    assertEquals(12L, read.optimizerSteps().get("weight"));
    assertEquals(2, read.history().size());
    assertTrue(Double.isNaN(read.history().get(0).validationLoss()));
    assertEquals(0.75, read.history().get(1).diceWt());
    assertEquals(8, read.entries().get("weights.bin").bytes());
    // SHA-256 of the bytes 1..8, as sha256sum prints it
    assertEquals(
        "66840dda154e8a113c31dd0ad32f7f3a366a80e8136979d8f5a101d3d29d6f72",
        read.entries().get("weights.bin").sha256());
    try (InputStream in = cp.open("epoch-000001", "optimizer.bin")) {
      assertEquals("state", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(List.of("epoch-000001"), cp.list("epoch-"));
  }

  @Test
  void flippedByteInAPayloadIsReportedWithTheFileName() throws IOException {
    Checkpoints cp = new Checkpoints(new LocalCheckpointStore(dir));
    cp.write("epoch-000002", payloads(), manifest(2));
    Path weights = dir.resolve("epoch-000002/weights.bin");
    byte[] bytes = Files.readAllBytes(weights);
    bytes[3] ^= 0x10;
    Files.write(weights, bytes);

    CorruptCheckpointException e =
        assertThrows(CorruptCheckpointException.class, () -> cp.readVerified("epoch-000002"));
    assertTrue(e.getMessage().contains("weights.bin"), e.getMessage());
    assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
  }

  @Test
  void editedManifestFailsItsOwnChecksum() throws IOException {
    Checkpoints cp = new Checkpoints(new LocalCheckpointStore(dir));
    cp.write("epoch-000003", payloads(), manifest(3));
    Path m = dir.resolve("epoch-000003/manifest.json");
    String text = Files.readString(m).replace("\"epoch\" : 3", "\"epoch\" : 4");
    Files.writeString(m, text);

    CorruptCheckpointException e =
        assertThrows(CorruptCheckpointException.class, () -> cp.readVerified("epoch-000003"));
    assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
  }

  @Test
  void missingOrTruncatedPayloadIsCorruptNotSilentlyLoaded() throws IOException {
    Checkpoints cp = new Checkpoints(new LocalCheckpointStore(dir));
    cp.write("epoch-000004", payloads(), manifest(4));
    Files.write(dir.resolve("epoch-000004/weights.bin"), new byte[] {1, 2, 3});
    assertThrows(CorruptCheckpointException.class, () -> cp.readVerified("epoch-000004"));
    Files.delete(dir.resolve("epoch-000004/weights.bin"));
    CorruptCheckpointException e =
        assertThrows(CorruptCheckpointException.class, () -> cp.readVerified("epoch-000004"));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void folderWithoutManifestIsNotAComplete() throws IOException {
    LocalCheckpointStore store = new LocalCheckpointStore(dir);
    store.put("epoch-000005/weights.bin", out -> out.write(1));
    Checkpoints cp = new Checkpoints(store);
    assertEquals(List.of(), cp.list("epoch-"));
    assertFalse(cp.exists("epoch-000005"));
  }

  @Test
  void readingAFolderWithoutManifestSaysItIsNotACompleteCheckpoint() throws IOException {
    LocalCheckpointStore store = new LocalCheckpointStore(dir);
    store.put("final/weights.bin", out -> out.write(1));
    java.nio.file.NoSuchFileException e =
        assertThrows(
            java.nio.file.NoSuchFileException.class,
            () -> new Checkpoints(store).readVerified("final"));
    assertEquals(
        store.describe()
            + "/final/manifest.json: not a complete checkpoint: manifest.json is missing (its writer"
            + " did not finish, or this is not a checkpoint folder)",
        e.getMessage());
  }

  @Test
  void failedPutLeavesNeitherEntryNorTemporaryFile() throws IOException {
    LocalCheckpointStore store = new LocalCheckpointStore(dir);
    assertThrows(
        IOException.class,
        () ->
            store.put(
                "a/b.bin",
                out -> {
                  out.write(new byte[100]);
                  throw new IOException("disk full");
                }));
    assertFalse(store.exists("a/b.bin"));
    try (Stream<Path> files = Files.walk(dir)) {
      assertEquals(0, files.filter(Files::isRegularFile).count());
    }
  }

  @Test
  void deleteRemovesTheFolder() throws IOException {
    Checkpoints cp = new Checkpoints(new LocalCheckpointStore(dir));
    cp.write("epoch-000006", payloads(), manifest(6));
    cp.delete("epoch-000006");
    assertFalse(Files.exists(dir.resolve("epoch-000006")));
  }

  @Test
  void namesThatEscapeTheRootAreRejected() {
    LocalCheckpointStore store = new LocalCheckpointStore(dir);
    assertThrows(IllegalArgumentException.class, () -> store.put("../x", out -> {}));
    assertThrows(IllegalArgumentException.class, () -> store.put("/abs", out -> {}));
  }

  @Test
  void modelWeightsRoundTripBitForBitInPlace() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      ParameterList a = linear(manager);
      ParameterList b = linear(manager);
      a.get("weight").getArray().set(new float[] {0.1f, -2.5f, 3e-8f, Float.MIN_VALUE});
      a.get("bias").getArray().set(new float[] {7f, -0f});
      var bWeight = b.get("weight").getArray();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ModelWeights.write(a, out);

      ModelWeights.read(new ByteArrayInputStream(out.toByteArray()), b, "test");

      assertArrayEquals(
          a.get("weight").getArray().toFloatArray(), b.get("weight").getArray().toFloatArray());
      assertArrayEquals(
          a.get("bias").getArray().toFloatArray(), b.get("bias").getArray().toFloatArray());
      assertEquals(bWeight, b.get("weight").getArray());
    }
  }

  @Test
  void weightsOfAnotherShapeAreRejectedWithTheParameterName() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (TensorBundle.Writer w = new TensorBundle.Writer(out)) {
        w.write("weight", new long[] {3}, new float[3]);
        w.write("bias", new long[] {2}, new float[2]);
      }
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  ModelWeights.read(
                      new ByteArrayInputStream(out.toByteArray()), linear(manager), "w.bin"));
      assertTrue(e.getMessage().contains("w.bin: parameter weight has shape [3]"), e.getMessage());
    }
  }

  /**
   * An attention network's checkpoint from before the reference's zero-width CBAM gate: at 2
   * channels its gate had a 1-unit MLP (children mlpIn, mlpOut, spatialConv, spatialNorm).
   */
  @Test
  void anAttentionCheckpointWithTheOldChannelGateIsRefusedSayingWhy() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      org.bratscv.model.net.EquiUnet net =
          org.bratscv.model.net.EquiUnet.builder()
              .optWidth(2)
              .optAttention(true)
              .build()
              .initialize(manager, 1L);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (TensorBundle.Writer w = new TensorBundle.Writer(out)) {
        for (var p : net.getParameters()) {
          String name = p.getKey();
          long[] shape = p.getValue().getArray().getShape().getShape();
          if (name.endsWith("_channelShift")) {
            String gate = name.substring(0, name.length() - "channelShift".length());
            long c = shape[0];
            w.write(gate + "01mlpIn_weight", new long[] {1, c}, new float[(int) c]);
            w.write(gate + "01mlpIn_bias", new long[] {1}, new float[1]);
            w.write(gate + "02mlpOut_weight", new long[] {c, 1}, new float[(int) c]);
            w.write(gate + "02mlpOut_bias", new long[] {c}, new float[(int) c]);
          } else {
            w.write(
                name, shape, new float[Math.toIntExact(p.getValue().getArray().getShape().size())]);
          }
        }
      }
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  ModelWeights.read(
                      new ByteArrayInputStream(out.toByteArray()),
                      net.getParameters(),
                      "fold0/final/weights.bin"));
      assertTrue(
          e.getMessage().startsWith("fold0/final/weights.bin: parameter 02attEnc1_01mlpIn_weight"),
          e.getMessage());
      assertTrue(
          e.getMessage().contains("saved before brats-cv matched the reference's CBAM"),
          e.getMessage());
    }
  }

  @Test
  void truncatedTensorFileIsCorrupt() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TensorBundle.Writer w = new TensorBundle.Writer(out)) {
      w.write("x", new long[] {4}, new float[] {1, 2, 3, 4});
    }
    byte[] cut = java.util.Arrays.copyOf(out.toByteArray(), out.size() - 6);
    TensorBundle.Reader r = new TensorBundle.Reader(new ByteArrayInputStream(cut), "x.bin");
    assertThrows(CorruptCheckpointException.class, r::next);
  }

  private static ParameterList linear(NDManager manager) {
    Linear l = Linear.builder().setUnits(2).build();
    l.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
    return l.getParameters();
  }
}
