package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.HadoopCheckpointStore;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.Table;
import org.bratscv.jobs.spark.SparkSessions;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cross-validation run whose archive, outputs and checkpoints all live on {@code s3a://}, against
 * an S3 server in this JVM (s3proxy over an in-memory blob store), reached through Hadoop's S3A
 * connector with the settings a cluster would use (endpoint, path-style access, static credentials,
 * as {@code spark.hadoop.fs.s3a.*}). Also pins the object-store write strategy: files are written
 * in place (no rename, which S3 does by copying) and a failed write publishes nothing.
 */
class CrossValidationOnS3Test {
  private static final Dims DIMS = new Dims(24, 24, 16);
  private static final String BUCKET = "brats-s3-test";
  private static final String ACCESS_KEY = "brats-access";
  private static final String SECRET_KEY = "brats-secret";

  private static BlobStoreContext blobs;
  private static S3Proxy server;
  private static SparkSession spark;

  @TempDir static Path local;

  @BeforeAll
  static void start() throws Exception {
    blobs = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, BUCKET);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    server.start();
    while (!"STARTED".equals(server.getState())) {
      Thread.sleep(10);
    }
    Map<String, String> settings = new TreeMap<>();
    settings.put("spark.master", "local[2]");
    s3aSettings(port).forEach((k, v) -> settings.put("spark.hadoop." + k, v));
    spark = SparkSessions.getOrCreate("s3-test", settings);
    // a session left by another class in this JVM would not take the defaults above
    s3aSettings(port).forEach(spark.sparkContext().hadoopConfiguration()::set);
  }

  /** What a user sets for an S3-compatible store: see deploy/README.md, "S3". */
  private static Map<String, String> s3aSettings(int port) {
    return Map.of(
        "fs.s3a.endpoint", "http://127.0.0.1:" + port,
        "fs.s3a.endpoint.region", "us-east-1",
        "fs.s3a.path.style.access", "true",
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.access.key", ACCESS_KEY,
        "fs.s3a.secret.key", SECRET_KEY,
        "fs.s3a.attempts.maximum", "2",
        "fs.s3a.retry.limit", "2");
  }

  @AfterAll
  static void stop() throws Exception {
    if (spark != null) {
      FileSystem s3 = FileSystem.get(URI.create("s3a://" + BUCKET + "/"), hadoop());
      spark.stop();
      s3.close();
    }
    if (server != null) {
      server.stop();
    }
    if (blobs != null) {
      blobs.close();
    }
  }

  private static Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static FileSystem s3() throws IOException {
    return FileSystem.get(URI.create("s3a://" + BUCKET + "/"), hadoop());
  }

  private static org.apache.hadoop.fs.Path s3(String key) {
    return new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/" + key);
  }

  /** Every object under {@code prefix}: key relative to it -> modification time. */
  private static Map<String, Long> objects(String prefix) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    String base = s3(prefix).toUri().getPath() + "/";
    if (!s3().exists(s3(prefix))) {
      return m;
    }
    RemoteIterator<LocatedFileStatus> it = s3().listFiles(s3(prefix), true);
    while (it.hasNext()) {
      FileStatus s = it.next();
      m.put(s.getPath().toUri().getPath().substring(base.length()), s.getModificationTime());
    }
    return m;
  }

  private static Map<String, Long> endingIn(Map<String, Long> objects, String suffix) {
    Map<String, Long> m = new TreeMap<>(objects);
    m.keySet().removeIf(k -> !k.endsWith(suffix));
    return m;
  }

  private static long counter(String name) {
    try {
      Long v = s3().getStorageStatistics().getLong(name);
      return v == null ? 0 : v;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aCvRunWithItsArchiveOutputsAndCheckpointsOnS3CompletesAndItsRerunRedoesNothing()
      throws Exception {
    Path train = local.resolve("train");
    new PhantomArchive(new PhantomGenerator(DIMS, 5), "Training", 1, true)
        .write(train, 4, id -> {});
    // through S3A's output streams; its copyFromLocalFile goes through the SDK's asynchronous
    // transfer manager, whose streaming payload hash s3proxy 2.6.0 rejects
    // (XAmzContentSHA256Mismatch)
    FileUtil.copy(train.toFile(), s3(), s3("train"), false, hadoop());
    assertEquals(4 * 5, objects("train").size(), "four cases of five NIfTI files uploaded");

    String out = "s3a://" + BUCKET + "/runs/r1";
    RunConfig config =
        RunConfig.of(
            ConfigTree.empty()
                .withAll(
                    List.of(
                        "data.train=s3a://" + BUCKET + "/train",
                        "output=" + out,
                        "folds.k=2",
                        "pipelines.A.epochs=1",
                        "pipelines.A.validate_every=1",
                        "pipelines.A.network.width=4",
                        "pipelines.A.patch=[16,16,16]",
                        "pipelines.A.swa.cycles=1",
                        "pipelines.A.swa.cycle_epochs=1",
                        "pipelines.A.swa.snapshot_every=1")));
    CrossValidation.Outcome first = new CrossValidation(spark, config).all();
    assertTrue(first.clean(), first.toString());

    RunFolder run = new RunFolder(out);
    FileSystem fs = s3();
    assertEquals(4, CaseManifestRow.TABLE.read(fs, run.caseManifestCsv()).size());
    List<ModelRow> models = ModelRow.TABLE.read(fs, run.modelsCsv());
    assertEquals(2, models.size(), "one pipeline, two folds");
    assertEquals(
        4 * 3, MetricRow.TABLE.read(fs, run.metricsCsv()).size(), "4 cases x 3 regions scored");
    assertTrue(fs.exists(run.provenance()) && fs.exists(run.configYaml()));

    Map<String, Long> all = objects("runs/r1");
    Map<String, Long> labelmaps = new TreeMap<>(endingIn(all, ".nii.gz"));
    labelmaps.keySet().removeIf(k -> !k.startsWith("predictions/") || k.contains("/uncertainty/"));
    assertEquals(4, labelmaps.size(), "one out-of-fold labelmap per case: " + labelmaps.keySet());
    Map<String, Long> weights = endingIn(all, "weights.bin");
    assertTrue(weights.size() >= 2, "checkpoints of both folds on S3: " + weights.keySet());
    assertTrue(
        all.keySet().stream().noneMatch(k -> k.contains(OutputRoot.TEMP_PREFIX)),
        "nothing written under a temporary name: " + all.keySet());

    // each Parquet table holds its rows once: one part file, as many rows as its CSV twin
    assertParquetMatchesCsv(run.caseManifestParquet(), 4);
    assertParquetMatchesCsv(run.modelsParquet(), 2);
    assertParquetMatchesCsv(run.metricsParquet(), 4 * 3);

    // the rerun finds every output done: no object is rewritten, no table gains a row
    Thread.sleep(1100); // S3 modification times have a resolution of one second
    CrossValidation.Outcome second = new CrossValidation(spark, config).all();
    assertTrue(second.clean(), second.toString());
    Map<String, Long> again = objects("runs/r1");
    assertEquals(endingIn(all, "case.json"), endingIn(again, "case.json"));
    assertEquals(weights, endingIn(again, "weights.bin"));
    assertEquals(endingIn(all, ".nii.gz"), endingIn(again, ".nii.gz"));
    assertEquals(fingerprints(models), fingerprints(ModelRow.TABLE.read(fs, run.modelsCsv())));
    assertEquals(4 * 3, MetricRow.TABLE.read(fs, run.metricsCsv()).size());
    assertParquetMatchesCsv(run.caseManifestParquet(), 4);
    assertParquetMatchesCsv(run.modelsParquet(), 2);
    assertParquetMatchesCsv(run.metricsParquet(), 4 * 3);
  }

  private static Map<String, String> fingerprints(List<ModelRow> models) {
    Map<String, String> m = new TreeMap<>();
    for (ModelRow r : models) {
      m.put(r.getPipeline() + r.getFold(), r.getFingerprint());
    }
    return m;
  }

  private static void assertParquetMatchesCsv(org.apache.hadoop.fs.Path parquet, int rows)
      throws IOException {
    List<String> parts = new ArrayList<>();
    for (FileStatus s : s3().listStatus(parquet)) {
      if (s.getPath().getName().endsWith(".parquet")) {
        parts.add(s.getPath().getName());
      }
    }
    assertEquals(1, parts.size(), parquet + ": " + parts);
    assertEquals(rows, spark.read().parquet(parquet.toString()).count(), parquet.toString());
  }

  @Test
  void filesOnS3AreWrittenInPlaceAndOnLocalDisksThroughARename() throws IOException {
    assertTrue(OutputRoot.publishesOnClose(s3(), s3("any/file.csv")));
    FileSystem disk = FileSystem.getLocal(new Configuration());
    assertFalse(
        OutputRoot.publishesOnClose(
            disk, new org.apache.hadoop.fs.Path(local.resolve("file.csv").toUri())));

    long renames = counter("op_rename");
    long copies = counter("object_copy_requests");
    Table<String> names =
        Table.<String>builder("names")
            .column("name", n -> n)
            .optReader(r -> r.text("name"))
            .build();
    org.apache.hadoop.fs.Path csv = s3("inplace/names.csv");
    names.writeCsv(s3(), csv, List.of("a", "b"));
    names.writeCsv(s3(), csv, List.of("c"));
    new HadoopCheckpointStore(s3(), s3("inplace/ckpt"))
        .put("epoch-000001/weights.bin", out -> out.write(new byte[] {1, 2, 3}));
    assertEquals(List.of("c"), names.read(s3(), csv), "rewritten, not appended");
    assertEquals(renames, counter("op_rename"), "no rename");
    assertEquals(copies, counter("object_copy_requests"), "no server-side copy");

    // a table written again holds the new rows only, in its CSV and in its Parquet twin
    org.apache.hadoop.fs.Path parquet = s3("inplace/models.parquet");
    org.apache.hadoop.fs.Path modelsCsv = s3("inplace/models.csv");
    ModelRow.TABLE.write(spark, s3(), parquet, modelsCsv, List.of(model(0), model(1)));
    ModelRow.TABLE.write(spark, s3(), parquet, modelsCsv, List.of(model(1)));
    assertEquals(1, ModelRow.TABLE.read(s3(), modelsCsv).size());
    assertParquetMatchesCsv(parquet, 1);
  }

  private static ModelRow model(int fold) {
    ModelRow m = new ModelRow();
    m.setVariant("baseline");
    m.setPipeline("A");
    m.setFold(fold);
    m.setStatus("ok");
    m.setReason("");
    return m;
  }

  @Test
  void aWriteThatFailsMidStreamLeavesNoObjectAndKeepsThePreviousOne() throws IOException {
    FileSystem fs = s3();
    org.apache.hadoop.fs.Path fresh = s3("failing/fresh.bin");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                OutputRoot.writeAtomically(
                    fs,
                    fresh,
                    out -> {
                      out.write(new byte[4096]);
                      throw new IOException("executor lost");
                    }));
    assertEquals("executor lost", e.getMessage());
    assertFalse(fs.exists(fresh), "no object at the final key");
    assertTrue(objects("failing").isEmpty(), "and none beside it: " + objects("failing"));

    // a checkpoint entry that was complete stays as it was when its rewrite fails
    HadoopCheckpointStore store = new HadoopCheckpointStore(fs, s3("failing/ckpt"));
    store.put("epoch-000002/weights.bin", out -> out.write(new byte[] {7, 7}));
    assertThrows(
        IOException.class,
        () ->
            store.put(
                "epoch-000002/weights.bin",
                out -> {
                  out.write(new byte[] {9, 9, 9, 9});
                  throw new IOException("killed");
                }));
    try (InputStream in = store.open("epoch-000002/weights.bin")) {
      assertArrayEquals(new byte[] {7, 7}, in.readAllBytes());
    }
    assertEquals(List.of("epoch-000002/weights.bin"), store.list(""));
  }

  @Test
  void theImageAndTheWrappersAddHadoopAwsAtTheHadoopVersionSparkShips() throws IOException {
    String hadoop = org.apache.hadoop.util.VersionInfo.getVersion();
    Properties tested = new Properties();
    try (InputStream in =
        S3AFileSystem.class.getResourceAsStream(
            "/META-INF/maven/org.apache.hadoop/hadoop-aws/pom.properties")) {
      tested.load(in);
    }
    assertEquals(hadoop, tested.getProperty("version"), "the tests' hadoop-aws (jobs/pom.xml)");
    Path repo = Path.of("..").toAbsolutePath().normalize();
    String docker = Files.readString(repo.resolve("deploy/docker/Dockerfile"));
    String wrappers = Files.readString(repo.resolve("deploy/common.sh"));
    assertEquals(hadoop, setting(docker, "ARG HADOOP_AWS_VERSION=(\\S+)"), "Dockerfile");
    assertEquals(
        hadoop, setting(wrappers, ": \"\\$\\{HADOOP_AWS_VERSION:=([^}]+)\\}\""), "common.sh");
    assertEquals(
        setting(docker, "ARG AWS_SDK_VERSION=(\\S+)"),
        setting(wrappers, ": \"\\$\\{AWS_SDK_VERSION:=([^}]+)\\}\""),
        "one SDK bundle version in the image and the wrappers");
  }

  private static String setting(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex);
    return m.group(1);
  }
}
