package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.io.HdfsOnLocalDisk;
import org.bratscv.jobs.stages.ModelRow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command line that README.md and deploy/README.md show running brats-cv is in {@link
 * #CHECKED}, and is run here as written, from a folder laid out like the repository, through bash:
 * a local {@code java -jar jobs/target/brats-cv.jar CMD ARGS} becomes {@code brats-cv check CMD
 * ARGS}; a wrapper {@code deploy/submit-*.sh} runs for real against a fake spark-submit that runs
 * {@code brats-cv check} with the application's arguments where the driver would run (cluster
 * deploy mode: in a folder holding only the shipped {@code --files}; Kubernetes: with {@code
 * /opt/brats-cv/} being the image's). The checks are recorded per folder and run there in one JVM
 * per folder ({@link CheckBatch}). {@code hdfs:///} and {@code s3a://bucket/} are folders here
 * ({@link HdfsOnLocalDisk}, passed as {@code -Dspark.hadoop.*} as spark-submit passes them) holding
 * small phantom archives and a finished run's models manifest. Each check must pass (exit 0): the
 * configuration and its {@code --set} keys valid, the archives found, the output writable, {@code
 * --models} a layout segment accepts.
 */
class DocumentedCommandsTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  /** How a documented command is checked. */
  enum How {
    /** run as written; a brats-cv run becomes {@code check} with the same arguments */
    CHECK,
    /** {@code demo} = synthetic archives + the cross-validation of conf/demo.yaml: checked so */
    CHECK_DEMO_CONFIGURATION,
    /** run as written, with its outputs checked, by SubmissionTwinTest (about a minute) */
    RUN_BY_SUBMISSION_TWIN_TEST,
    /**
     * README's "Models in and out" block, run as written (on a tiny trained run) by
     * ModelPackageCommandsTest
     */
    RUN_BY_MODEL_PACKAGE_COMMANDS_TEST("## Models in and out"),
    /** README's "Metric conventions" block, run as written (P, G: two synthetic labelmaps) */
    RUN_BY_SYNTH_AND_EVALUATE_COMMAND_TEST("### Metric conventions"),
    /**
     * README's "Inputs beyond BraTS folders" block, run as written (on Decathlon, nnU-Net and CSV
     * trees and a tiny trained run) by ReadmeInputsCommandsTest
     */
    RUN_BY_README_INPUTS_COMMANDS_TEST("## Inputs beyond BraTS folders"),
    /**
     * README's "A single-GPU workstation" block, run as written by ReadmeInputsCommandsTest (no GPU
     * here: it checks the run stops with exit 2 before any work; {@code check} would need a GPU)
     */
    RUN_BY_README_INPUTS_COMMANDS_TEST_DEVICE("## A single-GPU workstation");

    /** The README heading whose first bash block the other test runs, or null. */
    final String readmeBlock;

    How() {
      this(null);
    }

    How(String readmeBlock) {
      this.readmeBlock = readmeBlock;
    }
  }

  /** Every documented brats-cv command line (continuations joined, comments dropped). */
  static final Map<String, How> CHECKED = new LinkedHashMap<>();

  static {
    String jar = "java -jar jobs/target/brats-cv.jar ";
    CHECKED.put(jar + "demo", How.CHECK_DEMO_CONFIGURATION);
    CHECKED.put(jar + "sweep --config conf/demo-sweep.yaml", How.CHECK);
    CHECKED.put(
        jar
            + "segment --models demo-out/run --input demo-out/archive/test --output"
            + " demo-out/segment --probabilities",
        How.CHECK);
    CHECKED.put(jar + "report --root demo-out/run", How.CHECK);
    CHECKED.put(jar + "check --config conf/demo.yaml", How.CHECK);
    CHECKED.put(jar + "check sweep --config conf/demo-sweep.yaml --run-id 2026-11-27", How.CHECK);
    CHECKED.put("deploy/submit-yarn.sh sweep --config conf/ablation-nightly.yaml", How.CHECK);
    CHECKED.put(jar + "sweep --config conf/demo-submission.yaml", How.RUN_BY_SUBMISSION_TWIN_TEST);
    CHECKED.put(
        jar
            + "segment --models demo-out/submission/latest --input demo-out/archive/test"
            + " --output demo-out/segment-submission",
        How.RUN_BY_SUBMISSION_TWIN_TEST);
    CHECKED.put(
        "deploy/submit-yarn.sh segment --models hdfs:///runs/brats2020-cv --input"
            + " hdfs:///archive/2024 --output hdfs:///seg/2024",
        How.CHECK);
    CHECKED.put(jar + "check --config my-run.yaml", How.CHECK);
    CHECKED.put("deploy/submit-yarn.sh cv --config my-run.yaml", How.CHECK);
    CHECKED.put("DEPLOY_MODE=cluster deploy/submit-yarn.sh cv --config my-run.yaml", How.CHECK);
    CHECKED.put(
        "K8S_UPLOAD_PATH=s3a://bucket/spark-upload deploy/submit-k8s.sh cv --config my-run.yaml"
            + " --set pipelines.A.epochs=100",
        How.CHECK);
    // deploy/README.md
    CHECKED.put("deploy/submit-yarn.sh cv --config conf/brats2020-cv.yaml --set seed=7", How.CHECK);
    CHECKED.put(
        "deploy/submit-yarn.sh segment --models hdfs:///runs/brats2020-cv --input hdfs:///archive"
            + " --output hdfs:///seg",
        How.CHECK);
    CHECKED.put("deploy/submit-yarn.sh train --config conf/brats2020-cv.yaml", How.CHECK);
    CHECKED.put(
        "DRY_RUN=1 deploy/submit-yarn.sh cv --config conf/brats2020-cv.yaml --set seed=7",
        How.CHECK);
    CHECKED.put(jar + "check cv --config conf/brats2020-cv.yaml --set seed=7", How.CHECK);
    CHECKED.put("deploy/submit-standalone.sh cv --config conf/brats2020-cv.yaml", How.CHECK);
    CHECKED.put(
        "TOTAL_EXECUTOR_CORES=80 deploy/submit-standalone.sh sweep --config"
            + " conf/ablation-nightly.yaml",
        How.CHECK);
    CHECKED.put(
        "deploy/submit-yarn.sh cv --config conf/brats2020-cv.yaml --set"
            + " data.train=hdfs:///data/brats2020",
        How.CHECK);
    CHECKED.put(
        "NUM_EXECUTORS=10 YARN_QUEUE=gpu deploy/submit-yarn.sh sweep --config"
            + " conf/ablation-nightly.yaml",
        How.CHECK);
    CHECKED.put(
        "DEPLOY_MODE=cluster deploy/submit-yarn.sh sweep --config conf/demo-sweep.yaml --set"
            + " data.train=hdfs:///data/brats2020 --output hdfs:///runs/demo-sweeps",
        How.CHECK);
    CHECKED.put(
        "DEPLOY_MODE=cluster deploy/submit-yarn.sh segment --models hdfs:///runs/brats2020-cv"
            + " --input hdfs:///archive/2024 --output hdfs:///segmentations/2024",
        How.CHECK);
    CHECKED.put(
        "NUM_EXECUTORS=10 deploy/submit-k8s.sh cv --config /opt/brats-cv/conf/brats2020-cv.yaml"
            + " --set data.train=s3a://bucket/brats2020 --set data.test=null --set"
            + " output=s3a://bucket/runs/r1",
        How.CHECK);
    CHECKED.put(
        "K8S_UPLOAD_PATH=s3a://bucket/spark-upload deploy/submit-k8s.sh cv --config my-run.yaml",
        How.CHECK);
    // README, "Models in and out" and "Metric conventions": run by the tests that own them
    for (String line :
        List.of(
            "model export --run demo-out/run --out demo-out/model",
            "model export --run demo-out/run --out demo-out/model.zip",
            "segment --models demo-out/model.zip --input demo-out/archive/test --output"
                + " demo-out/segment-zip",
            "model import --weights demo-out/model/A-fold0.safetensors --arch EquiUnet --width 8"
                + " --norm group --normalization A --tta 1 --out demo-out/imported",
            "model import --manifest demo-out/model/manifest.json --out demo-out/imported.zip",
            "model run --weights model/src/test/resources/reference-equality/weights.safetensors"
                + " --input model/src/test/resources/reference-equality/input.nii.gz --output"
                + " demo-out/reference-equality.nii.gz")) {
      CHECKED.put(jar + line, How.RUN_BY_MODEL_PACKAGE_COMMANDS_TEST);
    }
    CHECKED.put(
        jar + "evaluate-case --pred P --gt G --convention brats2023-met",
        How.RUN_BY_SYNTH_AND_EVALUATE_COMMAND_TEST);
    CHECKED.put(
        jar + "bench hd95 --pred P --gt G --convention brats2023-gli --repeat 10",
        How.RUN_BY_SYNTH_AND_EVALUATE_COMMAND_TEST);
    for (String line :
        List.of(
            "preprocess --config conf/demo.yaml --set data.train=Task01_BrainTumour --set"
                + " output=msd-run",
            "inspect Task01_BrainTumour/imagesTr/BRATS_001.nii.gz",
            "segment --models demo-out/run --input Task01_BrainTumour --output msd-seg",
            "segment --models demo-out/run --input nnUNet_raw/Dataset137_BraTS2021 --output"
                + " nnunet-seg",
            "segment --models demo-out/run --input cases.csv --output csv-seg --device cpu")) {
      CHECKED.put(jar + line, How.RUN_BY_README_INPUTS_COMMANDS_TEST);
    }
    CHECKED.put(
        jar
            + "cv --config conf/demo.yaml --device gpu --set output=gpu-run --set"
            + " data.train=demo-out/archive/train --set data.test=demo-out/archive/test",
        How.RUN_BY_README_INPUTS_COMMANDS_TEST_DEVICE);
  }

  private static final Pattern RUNS_BRATS_CV =
      Pattern.compile(
          "^([A-Z_][A-Z0-9_]*=\\S+\\s+)*(java -jar jobs/target/brats-cv[\\w-]*\\.jar|deploy/\\S+\\.sh|spark-submit)(\\s.*)?$");

  /** The command lines of a Markdown file's bash blocks that run brats-cv. */
  static List<String> documentedCommands(String markdown) {
    List<String> out = new ArrayList<>();
    boolean inBash = false;
    StringBuilder line = new StringBuilder();
    for (String raw : markdown.split("\n", -1)) {
      if (raw.startsWith("```")) {
        inBash = !inBash && raw.trim().equals("```bash");
        continue;
      }
      if (!inBash) {
        continue;
      }
      String text = raw.replaceFirst("\\s+#\\s.*$", "").strip();
      boolean continues = text.endsWith("\\");
      line.append(continues ? text.substring(0, text.length() - 1).strip() : text);
      if (continues) {
        line.append(' ');
        continue;
      }
      String command = line.toString().strip();
      line.setLength(0);
      if (RUNS_BRATS_CV.matcher(command).matches()) {
        out.add(command);
      }
    }
    return out;
  }

  private static Set<String> allDocumented() throws IOException {
    Set<String> all = new LinkedHashSet<>();
    for (String doc : List.of("README.md", "deploy/README.md")) {
      all.addAll(documentedCommands(Files.readString(REPO.resolve(doc))));
    }
    return all;
  }

  @Test
  void everyDocumentedCommandIsOnTheCheckedListAndNothingElseIs() throws IOException {
    Set<String> documented = allDocumented();
    Set<String> unchecked = new LinkedHashSet<>(documented);
    unchecked.removeAll(CHECKED.keySet());
    assertTrue(unchecked.isEmpty(), "documented but not checked: " + unchecked);
    Set<String> stale = new LinkedHashSet<>(CHECKED.keySet());
    stale.removeAll(documented);
    assertTrue(stale.isEmpty(), "checked but no longer documented: " + stale);
  }

  @Test
  void theExtractorJoinsContinuationsAndDropsComments() {
    String md =
        "text\n```bash\nmvn -B verify\njava -jar jobs/target/brats-cv.jar segment --models a \\\n"
            + "    --input b   # a comment\nA=1 B=x deploy/submit-yarn.sh cv\n```\n"
            + "```\njava -jar jobs/target/brats-cv.jar demo\n```\n";
    assertEquals(
        List.of(
            "java -jar jobs/target/brats-cv.jar segment --models a --input b",
            "A=1 B=x deploy/submit-yarn.sh cv"),
        documentedCommands(md));
  }

  // --- running them

  @TempDir static Path work;

  private static Map<String, String> env;

  @BeforeAll
  static void repositoryLikeFolder() throws IOException {
    Files.createSymbolicLink(work.resolve("conf"), REPO.resolve("conf"));
    Files.createSymbolicLink(work.resolve("deploy"), REPO.resolve("deploy"));
    Files.createDirectories(work.resolve("jobs/target"));
    Files.createFile(work.resolve("jobs/target/brats-cv-cluster.jar"));
    Files.createDirectories(work.resolve("image/opt/brats-cv"));
    Files.createSymbolicLink(work.resolve("image/opt/brats-cv/conf"), REPO.resolve("conf"));

    PhantomGenerator gen = new PhantomGenerator(new Dims(16, 16, 16), 9);
    Path hdfs = work.resolve("fs/hdfs");
    Path bucket = work.resolve("fs/s3a/bucket");
    for (Path train :
        List.of(
            work.resolve("demo-out/archive/train"),
            hdfs.resolve("data/brats2020/MICCAI_BraTS2020_TrainingData"),
            bucket.resolve("brats2020"))) {
      new PhantomArchive(gen, "Training", 1, true).write(train, 5, id -> {});
    }
    for (Path test :
        List.of(
            work.resolve("demo-out/archive/test"),
            hdfs.resolve("data/brats2020/MICCAI_BraTS2020_ValidationData"),
            hdfs.resolve("archive/2024"))) {
      new PhantomArchive(gen, "Validation", 1, false).write(test, 2, id -> {});
    }
    finishedRun(work.resolve("demo-out/run"));
    finishedRun(hdfs.resolve("runs/brats2020-cv"));
    // output parents (the view's own root is read-only, as an HDFS root a user cannot write)
    Files.createDirectories(hdfs.resolve("seg"));
    Files.createDirectories(hdfs.resolve("segmentations"));
    Files.createDirectories(bucket.resolve("runs"));
    Files.createDirectories(bucket.resolve("spark-upload"));

    Path bin = Files.createDirectories(work.resolve("bin"));
    script(
        bin.resolve("brats-cv-check"),
        "#!/usr/bin/env bash\n"
            + "# records `brats-cv check ARGS` to run in this folder (CheckBatch)\n"
            + "{ printf '%s' \"$CHECK_LINE_ID\"; printf '\\x1f%s' \"$@\"; printf '\\n'; }"
            + " >>.checks\n");
    script(bin.resolve("spark-submit"), FAKE_SPARK_SUBMIT);

    env = new LinkedHashMap<>();
    env.put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    env.put("WORK", work.toString());
    env.put("IMAGE_ROOT", work.resolve("image").toString());
    // what the docs export before their wrapper lines
    env.put("SPARK_MASTER_URL", "spark://spark-head:7077");
    env.put("K8S_MASTER", "k8s://https://api.example.org:6443");
    env.put("K8S_IMAGE", "registry.example.org/brats-cv:0.1.0");
    env.put("K8S_NAMESPACE", "brats-cv");

    // README's copy of the paper configuration, as README makes it
    String cp = "cp conf/brats2020-cv.yaml my-run.yaml";
    assertTrue(Files.readString(REPO.resolve("README.md")).contains(cp));
    assertEquals(0, bash(cp).exit());
  }

  /** A finished run's models manifest (segment reads nothing else before its tasks start). */
  private static void finishedRun(Path root) throws IOException {
    List<ModelRow> rows = new ArrayList<>();
    for (String p : List.of("A", "B")) {
      for (int fold = 0; fold < 2; fold++) {
        ModelRow m = new ModelRow();
        m.setVariant("baseline");
        m.setPipeline(p);
        m.setFold(fold);
        m.setStatus("ok");
        m.setReason("");
        m.setNormalization(p);
        m.setWidth(4);
        m.setNorm(p.equals("A") ? "group" : "instance");
        m.setFinalWeights("last");
        m.setEpochs(1);
        m.setFingerprint("f" + p + fold);
        rows.add(m);
      }
    }
    Files.createDirectories(root.resolve("train"));
    FileSystem fs = FileSystem.getLocal(new Configuration());
    ModelRow.TABLE.writeCsv(
        fs, new org.apache.hadoop.fs.Path(root.resolve("train/models.csv").toString()), rows);
  }

  private static final String FAKE_SPARK_SUBMIT =
      """
      #!/usr/bin/env bash
      # spark-submit for DocumentedCommandsTest: runs `brats-cv check` with the application's
      # arguments where the driver would run: here (client mode), or in a fresh folder holding only
      # the --files (cluster mode, as YARN localizes them and a Kubernetes driver downloads them).
      set -euo pipefail
      master="" mode=client files=""
      while [[ $# -gt 0 && "$1" == --* ]]; do
        case "$1" in
          --master) master="$2" ;;
          --deploy-mode) mode="$2" ;;
          --files) files="$2" ;;
        esac
        shift 2
      done
      shift # the application jar
      args=("$@")
      if [[ "$mode" == cluster ]]; then
        IFS=, read -ra shipped <<<"$files"
        names=()
        for f in "${shipped[@]}"; do
          name="$(basename "${f%%#*}")"
          [[ "$f" == *#* ]] && name="${f##*#}"
          names+=("$name")
        done
        # one folder per set of shipped files: a driver sees those and nothing else
        container="$WORK/container-$(printf '%s\\n' "${names[@]}" | sort | cksum | cut -d' ' -f1)"
        mkdir -p "$container"
        for i in "${!shipped[@]}"; do
          cp "${shipped[$i]%%#*}" "$container/${names[$i]}"
        done
        cd "$container"
      fi
      if [[ "$master" == k8s://* ]]; then
        # the driver pod's files are the image's
        args=("${args[@]//\\/opt\\/brats-cv\\//$IMAGE_ROOT/opt/brats-cv/}")
      fi
      exec brats-cv-check "${args[@]}"
      """;

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Run(int exit, String out) {}

  private static Run bash(String line) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + line);
    pb.directory(work.toFile());
    for (String unset :
        List.of("DEPLOY_MODE", "DRY_RUN", "SPARK_HOME", "SPARK_SUBMIT", "APP_JAR", "RAPIDS")) {
      pb.environment().remove(unset);
    }
    if (env != null) {
      pb.environment().putAll(env);
    }
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), line + ": timed out");
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
    return new Run(p.exitValue(), out);
  }

  /** The shell line that checks documented command {@code line}. */
  static String checkingLine(String line, How how) {
    String jar = "java -jar jobs/target/brats-cv.jar ";
    if (how == How.CHECK_DEMO_CONFIGURATION) {
      return "brats-cv-check --config conf/demo.yaml";
    }
    if (line.startsWith(jar + "check ")) {
      return "brats-cv-check " + line.substring((jar + "check ").length());
    }
    if (line.startsWith(jar)) {
      return "brats-cv-check " + line.substring(jar.length());
    }
    if (line.startsWith("DRY_RUN=1 ")) {
      // the printed spark-submit command, run as printed
      return "eval \"$(" + line + ")\"";
    }
    return line;
  }

  /** Runs the checks recorded in {@code folder} in one JVM there: per line id, exit and output. */
  private static Map<Integer, List<Run>> runChecks(Path folder) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:TieredStopAtLevel=1");
    // hdfs:/// and s3a://bucket/ as spark-submit's --conf spark.hadoop.* would set them
    HdfsOnLocalDisk.settings(work.resolve("fs"), "bucket")
        .forEach((k, v) -> cmd.add("-Dspark.hadoop." + k + "=" + v));
    cmd.addAll(
        List.of(
            "-cp", System.getProperty("java.class.path"), CheckBatch.class.getName(), ".checks"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).directory(folder.toFile()).redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "checks in " + folder + " timed out");
    assertEquals(0, p.exitValue(), out);
    Map<Integer, List<Run>> byLine = new LinkedHashMap<>();
    String[] parts = out.split("(?m)^=== ");
    for (String part : parts) {
      if (part.isBlank() || !part.matches("(?s)\\d+ \\d+\n.*")) {
        continue;
      }
      String[] head = part.substring(0, part.indexOf('\n')).split(" ");
      byLine
          .computeIfAbsent(Integer.parseInt(head[0]), k -> new ArrayList<>())
          .add(new Run(Integer.parseInt(head[1]), part.substring(part.indexOf('\n') + 1)));
    }
    return byLine;
  }

  @Test
  void everyDocumentedCommandPassesItsCheck() throws Exception {
    String twin =
        Files.readString(Path.of("src/test/java/org/bratscv/jobs/cli/SubmissionTwinTest.java"));
    List<String> failures = new ArrayList<>();
    List<String> lines = new ArrayList<>(CHECKED.keySet());
    for (int id = 0; id < lines.size(); id++) {
      String line = lines.get(id);
      How how = CHECKED.get(line);
      if (how == How.RUN_BY_SUBMISSION_TWIN_TEST) {
        String args = line.substring("java -jar jobs/target/brats-cv.jar ".length());
        if (!twin.contains(args.split(" --input")[0])) {
          failures.add(line + ": SubmissionTwinTest does not run it");
        }
        continue;
      }
      if (how.readmeBlock != null) {
        List<String> block =
            ReadmeBlocks.commands(how.readmeBlock).stream().map(c -> String.join(" ", c)).toList();
        if (!block.contains(line)) {
          failures.add(line + ": not in README's \"" + how.readmeBlock + "\" block " + block);
        }
        continue;
      }
      env.put("CHECK_LINE_ID", Integer.toString(id));
      Run r = bash(checkingLine(line, how));
      if (r.exit() != 0) {
        failures.add(line + "\n  exit " + r.exit() + ":\n" + r.out().indent(4));
      }
    }
    Map<Integer, List<Run>> checks = new LinkedHashMap<>();
    try (var containers = Files.list(work)) {
      List<Path> folders = new ArrayList<>(List.of(work));
      folders.addAll(
          containers.filter(f -> f.getFileName().toString().startsWith("container-")).toList());
      for (Path f : folders) {
        runChecks(f).forEach((k, v) -> checks.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      }
    }
    for (int id = 0; id < lines.size(); id++) {
      How how = CHECKED.get(lines.get(id));
      if (how == How.RUN_BY_SUBMISSION_TWIN_TEST || how.readmeBlock != null) {
        continue;
      }
      List<Run> runs = checks.getOrDefault(id, List.of());
      if (runs.isEmpty()) {
        failures.add(lines.get(id) + ": no brats-cv check ran");
      }
      for (Run r : runs) {
        if (r.exit() != 0 || !r.out().contains("check: ok, the run can start")) {
          failures.add(lines.get(id) + "\n  exit " + r.exit() + ":\n" + r.out().indent(4));
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }
}
