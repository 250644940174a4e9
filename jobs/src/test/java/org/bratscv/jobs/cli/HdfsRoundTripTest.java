package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.util.VersionInfo;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.io.HadoopCheckpointStore;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.ReplacedFileReader;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.stages.MetricRow;
import org.bratscv.jobs.stages.ModelRow;
import org.bratscv.jobs.stages.SegmentStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HDFS: Hadoop's in-process MiniDFSCluster (one name node, one data node, the Hadoop of
 * Spark 4.0.4) holds the archives, the configuration (with an {@code include:} beside it) and every
 * output. A tiny {@code cv} (2 folds, 1 pipeline of width 4, 1 epoch) runs on it through the
 * command line, a rerun skips all done work, {@code check} reaches its roots, and {@code segment}
 * reads the run's models and an archive from HDFS and writes its labelmaps there.
 */
class HdfsRoundTripTest {
  private static final Dims DIMS = new Dims(24, 24, 16);
  private static final int TRAIN_CASES = 4;
  private static final List<String> TEST_CASES =
      List.of("BraTS20_Validation_100", "BraTS20_Validation_101");

  @TempDir static java.nio.file.Path local;

  private static MiniDFSCluster cluster;
  private static FileSystem hdfs;
  private static String root;
  private static CliRun firstCv;

  private static final String DEFAULT_FS = "spark.hadoop.fs.defaultFS";

  @BeforeAll
  static void hdfsWithArchivesConfigAndAFinishedRun() throws IOException {
    java.nio.file.Path base =
        java.nio.file.Path.of("target", "minidfs", HdfsRoundTripTest.class.getSimpleName())
            .toAbsolutePath();
    Configuration conf = new Configuration();
    conf.setLong("dfs.blocksize", 1 << 20);
    // a file is closed once its block is committed, without waiting for the data node's block
    // report: a run writes hundreds of small files (the class took 106 s without this, 92 s with)
    conf.setInt("dfs.namenode.file.close.num-committed-allowed", 1);
    cluster = new MiniDFSCluster.Builder(conf, base.toFile()).numDataNodes(1).format(true).build();
    cluster.waitActive();
    hdfs = cluster.getFileSystem();
    root = cluster.getURI().toString();

    PhantomGenerator gen = new PhantomGenerator(DIMS, 5);
    new PhantomArchive(gen, "Training", 1, true)
        .write(local.resolve("train"), TRAIN_CASES, id -> {});
    new PhantomArchive(gen, "Validation", 100, false)
        .write(local.resolve("test"), TEST_CASES.size(), id -> {});
    hdfs.copyFromLocalFile(
        false, true, new Path(local.resolve("train").toUri()), new Path(root + "/archive/train"));
    hdfs.copyFromLocalFile(
        false, true, new Path(local.resolve("test").toUri()), new Path(root + "/archive/test"));
    write(
        "/conf/run.yaml",
        """
        name: hdfs
        seed: 7
        data:
          train: hdfs:///archive/train
          test: hdfs:///archive/test
        output: hdfs:///runs/r1
        folds: {k: 2}
        pipelines:
          A: {include: pipeline-a.yaml}
        ensemble: {tta: 1}
        compute: {cases_per_task: 2, engine_threads: 1}
        spark: {spark.master: "local[2]"}
        """);
    write(
        "/conf/pipeline-a.yaml",
        """
        network: {width: 4, deep_supervision: false}
        epochs: 1
        batch: 1
        patch: [16, 16, 16]
        validate_every: 1
        swa: {enabled: false}
        final_weights: last
        """);
    // the name node as a cluster's core-site.xml or spark-submit's --conf gives it, so the
    // hdfs:/// paths of the documentation (no host) name it
    System.setProperty(DEFAULT_FS, root);
    firstCv = CliRun.of("cv", "--config", config());
  }

  @AfterAll
  static void shutdown() {
    System.clearProperty(DEFAULT_FS);
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private static String config() {
    return "hdfs:///conf/run.yaml";
  }

  /** The run folder, named with the name node's address. */
  private static RunFolder run() {
    return new RunFolder(root + "/runs/r1");
  }

  private static void write(String file, String text) throws IOException {
    try (FSDataOutputStream out = hdfs.create(new Path(root + file), true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Modification time of every file under {@code dir} whose name ends with {@code suffix}. */
  private static Map<String, Long> modified(Path dir, String suffix) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    RemoteIterator<LocatedFileStatus> it = hdfs.listFiles(dir, true);
    while (it.hasNext()) {
      LocatedFileStatus s = it.next();
      if (s.getPath().getName().endsWith(suffix)) {
        m.put(s.getPath().toUri().getPath(), s.getModificationTime());
      }
    }
    return m;
  }

  private static List<String> names(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus s : hdfs.listStatus(dir)) {
      names.add(s.getPath().getName());
    }
    return names;
  }

  private static String text(Path file) throws IOException {
    try (InputStream in = hdfs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static NiftiImage readNifti(Path file) throws IOException {
    try (InputStream in = hdfs.open(file)) {
      return NiftiReader.withDefaults().read(in, file.getName(), hdfs.getFileStatus(file).getLen());
    }
  }

  private static void assertHas(CliRun r, String text) {
    assertTrue(r.out().contains(text), "missing '" + text + "' in:\n" + r.out() + r.err());
  }

  @Test
  void theMiniClusterIsTheHadoopThatSparkBrings() {
    // hadoop-client-minicluster's version is pinned in jobs/pom.xml; it must be Spark's Hadoop
    assertEquals("3.4.1", VersionInfo.getVersion());
    assertTrue(root.startsWith("hdfs://"), root);
  }

  @Test
  void aCvWhoseConfigArchivesAndOutputsAreOnHdfsWritesEveryOutputThere() throws IOException {
    assertEquals(0, firstCv.exitCode(), firstCv.out() + firstCv.err());
    RunFolder run = run();
    for (Path p :
        List.of(
            run.configYaml(),
            run.provenance(),
            run.foldsJson(),
            run.caseManifestCsv(),
            run.modelsCsv(),
            run.metricsCsv(),
            run.summaryMd(),
            new Path(run.reportDir(), "index.html"))) {
      assertTrue(hdfs.isFile(p), "missing on HDFS: " + p);
    }
    // the resolved configuration holds the included pipeline
    try (InputStream in = hdfs.open(run.configYaml())) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(yaml.contains("width: 4"), yaml);
    }
    List<ModelRow> models = ModelRow.TABLE.read(hdfs, run.modelsCsv());
    assertEquals(2, models.size());
    for (ModelRow m : models) {
      assertEquals("ok", m.getStatus(), m.getReason());
      assertEquals(4, m.getWidth());
    }
    assertEquals(TRAIN_CASES, modified(new Path(run.preprocessDir(), "cases"), "case.json").size());
    assertEquals(TRAIN_CASES, labelmaps(run.predictionsDir()).size(), "out-of-fold labelmaps");
    assertEquals(
        TEST_CASES.size(), labelmaps(run.test().predictionsDir()).size(), "test labelmaps");
    List<MetricRow> metrics = MetricRow.TABLE.read(hdfs, run.metricsCsv());
    assertEquals(
        TRAIN_CASES * 3,
        metrics.stream().map(r -> r.getCaseId() + r.getRegion()).distinct().count(),
        "a row per case and region");
    // no temporary file of the atomic writes is left anywhere
    assertEquals(
        Map.of(),
        modified(run.path(), "").entrySet().stream()
            .filter(e -> e.getKey().contains("_tmp.") || e.getKey().contains("_temporary"))
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    assertFalse(hdfs.exists(new Path(run.path(), "brats-cv.lock")), "lock released");
  }

  /** The labelmaps under a predictions folder, without the uncertainty maps beside them. */
  private static Map<String, Long> labelmaps(Path predictions) throws IOException {
    Map<String, Long> m = modified(predictions, RunFolder.NIFTI_GZ);
    m.keySet().removeIf(k -> k.contains("/" + RunFolder.UNCERTAINTY + "/"));
    return m;
  }

  @Test
  void aRerunOnHdfsSkipsTheDoneWorkAndCheckSaysSoBeforehand() throws IOException {
    assertEquals(0, firstCv.exitCode(), firstCv.out() + firstCv.err());
    RunFolder run = run();
    CliRun check = CliRun.of("check", "--config", config());
    assertEquals(0, check.exitCode(), check.out() + check.err());
    assertHas(check, "configuration: " + config());
    assertHas(check, "output: " + new OutputRoot("hdfs:///runs/r1").uri() + " (writable)");
    assertHas(check, "data.train: hdfs:///archive/train (readable): 4 cases found");
    assertHas(check, "data.test: hdfs:///archive/test (readable): 2 cases found");
    assertHas(check, "4 done (kept), 0 to preprocess");
    assertHas(check, "folds.json unchanged (kept)");
    assertHas(check, "2 done (kept), 0 to train");
    assertHas(check, "check: ok");

    Map<String, Long> cases = modified(run.preprocessDir(), "case.json");
    Map<String, Long> weights = modified(run.trainDir(), "");
    weights.keySet().removeIf(k -> !k.contains("/final/"));
    Map<String, Long> labels = labelmaps(run.predictionsDir());
    Map<String, Long> testLabels = labelmaps(run.test().predictionsDir());
    long folds = hdfs.getFileStatus(run.foldsJson()).getModificationTime();
    String metrics = text(run.metricsCsv());
    String evaluated = text(run.evaluateFingerprint());
    assertFalse(weights.isEmpty());

    CliRun again = CliRun.of("cv", "--config", config());
    assertEquals(0, again.exitCode(), again.out() + again.err());
    assertEquals(cases, modified(run.preprocessDir(), "case.json"));
    Map<String, Long> weightsAfter = modified(run.trainDir(), "");
    weightsAfter.keySet().removeIf(k -> !k.contains("/final/"));
    assertEquals(weights, weightsAfter);
    assertEquals(labels, labelmaps(run.predictionsDir()));
    assertEquals(testLabels, labelmaps(run.test().predictionsDir()));
    assertEquals(folds, hdfs.getFileStatus(run.foldsJson()).getModificationTime());
    // evaluation is always redone (it is cheap), to the same rows from the same labelmaps
    assertEquals(metrics, text(run.metricsCsv()));
    assertEquals(evaluated, text(run.evaluateFingerprint()));
  }

  @Test
  void segmentReadsTheRunsModelsAndAnArchiveFromHdfsAndWritesItsLabelmapsThere()
      throws IOException {
    assertEquals(0, firstCv.exitCode(), firstCv.out() + firstCv.err());
    String output = root + "/segment/2024";
    String[] args = {
      "segment",
      "--models",
      run().uri(),
      "--input",
      root + "/archive/test",
      "--output",
      output,
      "--tta",
      "1",
      "--spark",
      "spark.master=local[2]"
    };
    CliRun r = CliRun.of(args);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertHas(r, "segment: 2 cases segmented, 0 done earlier, 0 failed");
    RunFolder seg = new RunFolder(output);
    List<SegmentStage.Row> rows = SegmentStage.TABLE.read(hdfs, seg.segmentCsv());
    assertEquals(TEST_CASES, rows.stream().map(SegmentStage.Row::caseId).sorted().toList());
    for (String id : TEST_CASES) {
      NiftiImage label = readNifti(seg.labelmap(id));
      NiftiImage t1 = readNifti(new Path(root + "/archive/test/" + id + "/" + id + "_t1.nii.gz"));
      assertEquals(t1.header().spatialDims(), label.header().spatialDims(), id);
      for (float v : label.data()) {
        assertTrue(v == 0 || v == 1 || v == 2 || v == 4, "BraTS 2020 labels only: " + v);
      }
    }
    assertTrue(names(seg.labelmapsDir()).contains(RunFolder.SLICER_COLOUR_TABLE));
    Map<String, Long> before = modified(seg.labelmapsDir(), RunFolder.NIFTI_GZ);

    CliRun again = CliRun.of(args);
    assertEquals(0, again.exitCode(), again.out() + again.err());
    assertHas(again, "segment: 0 cases segmented, 2 done earlier, 0 failed");
    assertEquals(before, modified(seg.labelmapsDir(), RunFolder.NIFTI_GZ));
  }

  @Test
  void checkpointsUnderAPathWithoutSchemeAreListedOnTheDefaultHdfs() throws IOException {
    // "runs/r2" on a cluster whose default file system is HDFS: /user/<name>/runs/r2 there
    Configuration conf = new Configuration();
    conf.set("fs.defaultFS", root);
    Path relative = new Path("runs/r2/train/baseline/A/fold0");
    HadoopCheckpointStore store = new HadoopCheckpointStore(relative.getFileSystem(conf), relative);
    store.put("epoch-000001/weights.bin", out -> out.write(1));
    store.put("epoch-000002/weights.bin", out -> out.write(2));
    store.put("log.csv", out -> out.write(3));
    assertTrue(
        hdfs.isFile(new Path(hdfs.getHomeDirectory(), "runs/r2/train/baseline/A/fold0/log.csv")));
    assertEquals(
        List.of("epoch-000001/weights.bin", "epoch-000002/weights.bin"), store.list("epoch-"));
    store.delete("epoch-000001/weights.bin");
    assertEquals(List.of("epoch-000002/weights.bin", "log.csv"), store.list(""));
  }

  /**
   * HDFS's FileSystem.rename refuses an existing target; writeAtomically replaces it through the
   * name node's rename with overwrite, so a reader polling the file (a report reading a running
   * task's log.csv, through OutputRoot.readReplaced) never finds it missing or incomplete. A read
   * under way when the file is replaced loses its blocks ("Blocklist for ... has changed!", once in
   * about 2,300 reads in CI) and is made again.
   */
  @Test
  void aFileReplacedOnHdfsIsNeverMissingForAReader() throws Exception {
    Path target = new Path(root + "/replaced/log.csv");
    Path other = new Path(root + "/replaced/other.csv");
    OutputRoot.writeAtomically(hdfs, other, out -> out.write(1));
    OutputRoot.writeAtomically(hdfs, target, out -> out.write(1));
    assertFalse(hdfs.rename(other, target), "HDFS's rename refuses an existing target");
    ReplacedFileReader.assertNeverMissingWhileReplaced(
        hdfs, target, 100, ReplacedFileReader::numbered, ReplacedFileReader.through(hdfs, target));
    List<String> names = new ArrayList<>();
    for (FileStatus f : hdfs.listStatus(target.getParent())) {
      names.add(f.getPath().getName());
    }
    assertEquals(List.of("log.csv", "other.csv"), names.stream().sorted().toList());
  }

  @Test
  void aSecondRunOnAnHdfsOutputThatARunHoldsIsRefused() throws IOException {
    OutputRoot out = new OutputRoot("hdfs:///runs/locked");
    Configuration conf = new Configuration();
    conf.set("fs.defaultFS", root);
    try (RunLock held = RunLock.acquire(conf, out, "brats-cv cv --config first.yaml")) {
      assertTrue(hdfs.isFile(new Path(root + "/runs/locked/" + RunLock.FILE_NAME)));
      RunLock.HeldException refused =
          assertThrows(
              RunLock.HeldException.class,
              () -> RunLock.acquire(conf, out, "brats-cv cv --config second.yaml"));
      assertTrue(
          refused.getMessage().contains("is locked by brats-cv cv --config first.yaml"),
          refused.getMessage());
      CliRun check = CliRun.of("check", "--config", config(), "--set", "output=" + out.uri());
      assertEquals(2, check.exitCode(), check.out() + check.err());
      assertHas(check, "is locked by another run");
    }
    assertFalse(hdfs.exists(new Path(root + "/runs/locked/" + RunLock.FILE_NAME)), "released");
  }
}
