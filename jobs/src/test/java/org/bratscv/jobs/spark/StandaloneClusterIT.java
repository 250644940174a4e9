package org.bratscv.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.stages.MetricRow;
import org.bratscv.jobs.stages.ModelRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code brats-cv-cluster.jar} under {@code spark-submit} on a real Spark standalone cluster: a
 * Master and two Workers, each a separate JVM started through Spark's own launcher from a
 * SPARK_HOME assembled here, each Worker owning one GPU found by {@code deploy/getGpusResources.sh}
 * (over a fake {@code nvidia-smi}), as deploy/README.md's {@code SPARK_WORKER_OPTS} set it up. Then
 * {@code deploy/submit-standalone.sh} itself submits a two-fold cross-validation in client mode.
 *
 * <p>Runs in Maven's integration-test phase (after package made the jar; {@code mvn verify}), by
 * its own surefire execution, which passes the jar as {@code bratscv.clusterJar}. Everything it
 * starts and writes is under {@code target/standalone-cluster/}: {@code logs/} (master, workers,
 * submit) and {@code worker-N/} (the executors' stdout and stderr).
 */
class StandaloneClusterIT {
  /** Surefire runs in the jobs module's folder. */
  private static final Path JOBS = Path.of("").toAbsolutePath();

  private static final Path DEPLOY = JOBS.getParent().resolve("deploy");
  private static final Path WORK = JOBS.resolve("target/standalone-cluster");
  private static final Path LOGS = WORK.resolve("logs");
  private static final int WORKERS = 2;
  private static final long CLUSTER_START_SECONDS = 90;
  private static final long SUBMIT_SECONDS = 300;

  /**
   * Jars the cluster jar carries itself (its shade includes, see jobs/pom.xml) or that only the
   * tests use: a Spark distribution has none of them, so SPARK_HOME/jars gets none either. Matched
   * against the jar's path in the local Maven repository.
   */
  private static final List<String> NOT_IN_SPARK =
      List.of(
          "/org/bratscv/",
          "/ai/djl/",
          "/net/java/dev/jna/",
          "/info/picocli/",
          "/org/knowm/",
          "/org/yaml/",
          "/org/junit/",
          "/org/opentest4j/",
          "/org/apiguardian/",
          "/org/apache/maven/",
          // test-only servers of HdfsRoundTripTest and CrossValidationOnS3Test: no Spark has them
          "/junit/junit/",
          "/org/hamcrest/",
          "/org/gaul/",
          "/org/apache/jclouds/",
          "/software/amazon/",
          "/com/google/inject/",
          "/org/eclipse/jetty/");

  private static final List<Process> DAEMONS = new ArrayList<>();
  private static Process submit;
  private static Path clusterJar;
  private static Path sparkHome;
  private static String masterUrl;
  private static int masterUiPort;

  @BeforeAll
  static void startCluster() throws Exception {
    String jar = System.getProperty("bratscv.clusterJar");
    Assumptions.assumeTrue(
        jar != null,
        "runs in the integration-test phase, after package made brats-cv-cluster.jar"
            + " (mvn verify)");
    clusterJar = Path.of(jar);
    assertTrue(Files.isRegularFile(clusterJar), clusterJar + " missing: run mvn package first");
    deleteTree(WORK);
    Files.createDirectories(LOGS);
    sparkHome = assembleSparkHome(WORK.resolve("spark-home"));

    int masterPort = freePort();
    masterUiPort = freePort();
    masterUrl = "spark://127.0.0.1:" + masterPort;
    DAEMONS.add(
        daemon(
            "master",
            Map.of(),
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(masterPort),
            "--webui-port",
            Integer.toString(masterUiPort)));
    for (int i = 0; i < WORKERS; i++) {
      // deploy/README.md's spark-env.sh line, with one GPU per worker; each worker's nvidia-smi
      // lists a different GPU index, so the addresses tell the two workers apart
      Path bin = Files.createDirectories(WORK.resolve("nvidia-" + i));
      executable(bin.resolve("nvidia-smi"), "#!/bin/sh\necho \"" + i + ", GPU-fake-" + i + "\"\n");
      DAEMONS.add(
          daemon(
              "worker-" + i,
              Map.of(
                  "PATH",
                  bin + File.pathSeparator + System.getenv("PATH"),
                  "SPARK_WORKER_OPTS",
                  "-Dspark.worker.resource.gpu.amount=1"
                      + " -Dspark.worker.resource.gpu.discoveryScript="
                      + DEPLOY.resolve("getGpusResources.sh")),
              "org.apache.spark.deploy.worker.Worker",
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--webui-port",
              "0",
              "--cores",
              "1",
              "--memory",
              "1536m",
              "--work-dir",
              Files.createDirectories(WORK.resolve("worker-" + i)).toString(),
              masterUrl));
    }
    waitForWorkers();
  }

  @AfterAll
  static void stopCluster() {
    List<Process> all = new ArrayList<>();
    if (submit != null) {
      all.add(submit);
    }
    // workers before the master
    for (int i = DAEMONS.size() - 1; i >= 0; i--) {
      all.add(DAEMONS.get(i));
    }
    for (Process p : all) {
      stopTree(p);
    }
    DAEMONS.clear();
  }

  @Test
  void theClusterJarRunsACrossValidationThroughTheSubmitScriptWithOneGpuPerTrainingTask()
      throws Exception {
    Path archive = WORK.resolve("archive");
    List<String> cases =
        new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 7), "Training", 1, true)
            .write(archive, 4, id -> {});
    Path out = WORK.resolve("run");
    Path config = WORK.resolve("standalone-cv.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "name: standalone-cluster",
            "seed: 7",
            "data: {train: " + archive + ", test: null}",
            "output: " + out,
            "folds: {k: 2}",
            "pipelines:",
            "  A: null",
            "  B:",
            "    epochs: 1",
            "    batch: 1",
            "    patch: [16, 16, 16]",
            "    network: {width: 4, norm: instance, deep_supervision: false}",
            "ensemble: {tta: 1, merge: []}",
            // the workers' GPUs are fake: train and infer on the CPU, on the GPU Spark reserved
            "compute: {device: cpu, engine_threads: 1}",
            ""));
    // the driver waits for both executors, so the two training tasks start together, one per GPU
    Path extraConf = WORK.resolve("extra-spark.conf");
    Files.writeString(
        extraConf, "spark.scheduler.minRegisteredResourcesRatio 1.0\nspark.ui.enabled false\n");

    ProcessBuilder pb =
        new ProcessBuilder(
            "bash",
            DEPLOY.resolve("submit-standalone.sh").toString(),
            "cv",
            "--config",
            config.toString());
    Map<String, String> env = pb.environment();
    clean(env);
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_MASTER_URL", masterUrl);
    env.put("APP_JAR", clusterJar.toString());
    env.put("DRIVER_MEMORY", "768m");
    env.put("EXECUTOR_MEMORY", "1g");
    env.put("EXECUTOR_CORES", "1");
    env.put("TASK_CPUS", "1");
    env.put("EXECUTOR_GPUS", "1");
    env.put("TASK_GPU_AMOUNT", "1");
    env.put("TOTAL_EXECUTOR_CORES", Integer.toString(WORKERS));
    // set but empty: the executors load the CPU libtorch bundled in brats-cv-cluster.jar
    env.put("PYTORCH_LIBRARY_PATH", "");
    env.put(
        "DJL_CACHE_DIR",
        System.getProperty(
            "DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString()));
    env.put("DJL_NUM_THREADS", "1");
    env.put("EXTRA_CONF_FILE", extraConf.toString());
    pb.directory(WORK.toFile());
    pb.redirectErrorStream(true);
    Path submitLog = LOGS.resolve("submit.log");
    pb.redirectOutput(submitLog.toFile());
    submit = pb.start();
    if (!submit.waitFor(SUBMIT_SECONDS, TimeUnit.SECONDS)) {
      stopTree(submit);
      fail("submit-standalone.sh ran past " + SUBMIT_SECONDS + " s" + logs());
    }
    assertEquals(0, submit.exitValue(), "submit-standalone.sh's exit code" + logs());

    FileSystem fs = FileSystem.getLocal(new Configuration());
    RunFolder run = new RunFolder(out.toString());

    // two models, trained on the CPU, each on its own GPU reservation: one per worker
    List<ModelRow> models = ModelRow.TABLE.read(fs, run.modelsCsv());
    assertEquals(2, models.size(), "models: " + models);
    Set<String> gpus = new TreeSet<>();
    for (ModelRow m : models) {
      String task = "fold " + m.getFold();
      assertEquals("ok", m.getStatus(), task + ": " + m.getReason());
      assertEquals("cpu", m.getDevice(), task);
      assertTrue(m.getSparkGpu().matches("gpu:[01]"), task + " held " + m.getSparkGpu());
      assertTrue(
          Files.isRegularFile(Path.of(m.getCheckpoint(), "manifest.json")),
          task + ": no final checkpoint at " + m.getCheckpoint());
      gpus.add(m.getSparkGpu());
    }
    assertEquals(
        Set.of(0, 1), models.stream().map(ModelRow::getFold).collect(Collectors.toSet()), "folds");
    assertEquals(Set.of("gpu:0", "gpu:1"), gpus, "each training task held its own GPU");

    // an out-of-fold labelmap per case, of the cases' own size
    NiftiReader reader = NiftiReader.withDefaults();
    for (String id : cases) {
      Path labelmap = local(run.prediction("oof-B", id));
      assertTrue(Files.isRegularFile(labelmap), "no labelmap " + labelmap);
      long[] dim = reader.read(labelmap).header().dim();
      assertEquals(List.of(24L, 24L, 16L), List.of(dim[1], dim[2], dim[3]), labelmap.toString());
    }

    // the metrics table scores every case in every region
    List<MetricRow> metrics = MetricRow.TABLE.read(fs, run.metricsCsv());
    Map<String, Set<String>> regions = new TreeMap<>();
    for (MetricRow r : metrics) {
      assertEquals("oof-B", r.getLabelmapSet());
      assertTrue(r.getDice() != null && r.getDice() >= 0 && r.getDice() <= 1, r.toString());
      regions.computeIfAbsent(r.getCaseId(), k -> new TreeSet<>()).add(r.getRegion());
    }
    assertEquals(new TreeSet<>(cases), regions.keySet(), "cases in the metrics table");
    for (Set<String> r : regions.values()) {
      assertEquals(Set.of("ET", "TC", "WT"), r);
    }
    assertTrue(Files.isRegularFile(local(run.summaryMd())), "evaluate/summary.md");
    assertTrue(Files.isRegularFile(local(run.reportDir()).resolve("index.html")), "report");
  }

  // ---------------------------------------------------------------------------------------------
  // The cluster
  // ---------------------------------------------------------------------------------------------

  /**
   * A SPARK_HOME as a Spark distribution lays it out: {@code jars/} (Spark, Scala, Hadoop and their
   * libraries: the test class path less what the cluster jar brings), {@code conf/} (the project's
   * log4j2 file, as deploy/README.md says to copy to the workers) and {@code bin/}: a {@code
   * spark-class} that, like Spark's, has {@code org.apache.spark.launcher.Main} build the java
   * command (class path, {@code SPARK_*_OPTS}, memory, the module flags of Java 17), and a {@code
   * spark-submit} that runs {@code org.apache.spark.deploy.SparkSubmit} through it.
   */
  private static Path assembleSparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      String name = p.getFileName().toString();
      String unix = p.toString().replace(File.separatorChar, '/');
      boolean sparks =
          name.endsWith(".jar")
              && !name.startsWith("brats-cv")
              && NOT_IN_SPARK.stream().noneMatch(unix::contains)
              // Spark's distribution has Hadoop's two client jars, nothing else of Hadoop
              && (!unix.contains("/org/apache/hadoop/")
                  || name.startsWith("hadoop-client-api-")
                  || name.startsWith("hadoop-client-runtime-"));
      if (sparks && Files.isRegularFile(p) && !Files.exists(jars.resolve(name))) {
        Files.createSymbolicLink(jars.resolve(name), p.toAbsolutePath());
      }
    }
    Path conf = Files.createDirectories(home.resolve("conf"));
    Files.copy(
        JOBS.getParent().resolve("conf/log4j2.properties"), conf.resolve("log4j2.properties"));
    Path bin = Files.createDirectories(home.resolve("bin"));
    executable(
        bin.resolve("spark-class"),
        String.join(
            "\n",
            "#!/usr/bin/env bash",
            "# Spark's bin/spark-class: the launcher prints the command, this script runs it.",
            "SPARK_HOME=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")/..\" && pwd)\"",
            "export SPARK_HOME",
            "export SPARK_SCALA_VERSION=2.13  # as load-spark-env.sh sets it in Spark 4",
            "RUNNER=\"${JAVA_HOME:+$JAVA_HOME/bin/}java\"",
            "# the launcher's messages, a NUL line, then the command NUL-separated; then its exit code",
            "CMD=()",
            "DELIM=$'\\n'",
            "STARTED=false",
            "while IFS= read -d \"$DELIM\" -r ARG; do",
            "  if [[ \"$STARTED\" == true ]]; then",
            "    CMD+=(\"$ARG\")",
            "  elif [[ -z \"$ARG\" ]]; then",
            "    DELIM=''",
            "    STARTED=true",
            "  else",
            "    echo \"$ARG\"",
            "  fi",
            "done < <(\"$RUNNER\" -Xmx128m -cp \"$SPARK_HOME/jars/*\""
                + " org.apache.spark.launcher.Main \"$@\"; printf '%d\\0' $?)",
            "LAST=$((${#CMD[@]} - 1))",
            "if ((LAST < 0)); then",
            "  exit 1",
            "elif [[ \"${CMD[$LAST]}\" != 0 ]]; then",
            "  exit \"${CMD[$LAST]}\"",
            "fi",
            "exec \"${CMD[@]:0:$LAST}\"",
            ""));
    executable(
        bin.resolve("spark-submit"),
        "#!/usr/bin/env bash\n"
            + "exec \"$(dirname \"${BASH_SOURCE[0]}\")/spark-class\""
            + " org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    return home;
  }

  /** Starts {@code spark-class CLASS ARGS} with its output in {@code logs/NAME.log}. */
  private static Process daemon(String name, Map<String, String> extraEnv, String... classAndArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(sparkHome.resolve("bin/spark-class").toString());
    command.addAll(List.of(classAndArgs));
    ProcessBuilder pb = new ProcessBuilder(command);
    clean(pb.environment());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_DAEMON_MEMORY", "256m");
    pb.environment().putAll(extraEnv);
    pb.directory(WORK.toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(LOGS.resolve(name + ".log").toFile());
    return pb.start();
  }

  /** What this JVM's environment must not hand the cluster's processes. */
  private static void clean(Map<String, String> env) {
    for (String k : List.copyOf(env.keySet())) {
      if (k.startsWith("SPARK_")
          || k.startsWith("PYTORCH_")
          || k.startsWith("RAPIDS")
          || k.equals("CUDA_VISIBLE_DEVICES")
          || k.equals("DRY_RUN")
          || k.equals("DEPLOY_MODE")
          || k.equals("EXTRA_JAVA_OPTS")) {
        env.remove(k);
      }
    }
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
  }

  /** Waits until the master's JSON lists every worker alive, each with one GPU. */
  private static void waitForWorkers() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLUSTER_START_SECONDS);
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Process p : DAEMONS) {
        if (!p.isAlive()) {
          fail("a cluster process exited with " + p.exitValue() + logs());
        }
      }
      try {
        JsonNode json =
            new ObjectMapper()
                .readTree(URI.create("http://127.0.0.1:" + masterUiPort + "/json/").toURL());
        last = json.toString();
        int withGpu = 0;
        for (JsonNode w : json.path("workers")) {
          if (w.path("state").asText().equals("ALIVE")
              && w.path("resources").path("gpu").path("addresses").size() == 1) {
            withGpu++;
          }
        }
        if (withGpu == WORKERS) {
          return;
        }
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(500);
    }
    fail("the workers did not register within " + CLUSTER_START_SECONDS + " s: " + last + logs());
  }

  /** Stops a process and everything it started (a worker's executors, the driver's launcher). */
  private static void stopTree(Process p) {
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    tree.add(p.toHandle());
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle h : tree) {
      try {
        h.onExit().get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  /** The last lines of every log: the processes' own, then the executors' stderr. */
  private static String logs() {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.walk(WORK)) {
      for (Path f :
          files
              .filter(
                  f ->
                      (f.startsWith(LOGS) && f.toString().endsWith(".log"))
                          || f.getFileName().toString().equals("stderr"))
              .sorted(Comparator.comparing(f -> f.startsWith(LOGS) ? 0 : 1))
              .toList()) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        b.append("\n---- ")
            .append(WORK.relativize(f))
            .append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
    } catch (IOException e) {
      b.append("\n(logs unreadable: ").append(e).append(')');
    }
    return b.toString();
  }

  private static Path local(org.apache.hadoop.fs.Path p) {
    return Path.of(p.toUri().getPath());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
