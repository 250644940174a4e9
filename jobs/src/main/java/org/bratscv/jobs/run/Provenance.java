package org.bratscv.jobs.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code provenance.json} of a run root: what code, libraries and devices made the run, with which
 * configuration (the resolved YAML and its SHA-256), from which inputs (per case, the fingerprint
 * of its source files' contents) and, per stage, the fingerprints of what each output was made
 * from. Rewritten as the stages finish, so it always describes what the folder holds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Provenance(
    @JsonProperty("brats_cv") Code code,
    @JsonProperty("runtime") Runtime runtime,
    @JsonProperty("devices") Devices devices,
    @JsonProperty("config_sha256") String configSha256,
    @JsonProperty("config") Object config,
    @JsonProperty("inputs") Inputs inputs,
    @JsonProperty("outputs") SortedMap<String, String> outputs,
    @JsonProperty("written") String written) {

  /** The brats-cv build. */
  public record Code(
      @JsonProperty("version") String version,
      @JsonProperty("git_commit") String gitCommit,
      @JsonProperty("git_dirty") boolean gitDirty) {}

  /** The JVM and the libraries the run used. */
  public record Runtime(
      @JsonProperty("java") String java,
      @JsonProperty("spark") String spark,
      @JsonProperty("djl") String djl,
      @JsonProperty("libtorch") String libtorch,
      @JsonProperty("libtorch_source") String libtorchSource) {}

  /**
   * Where the run ran: the Spark master, the GPUs executors and tasks were given, and the devices
   * the training tasks reported (e.g. {@code cpu}, {@code gpu:0}).
   */
  public record Devices(
      @JsonProperty("spark_master") String sparkMaster,
      @JsonProperty("executor_gpus") String executorGpus,
      @JsonProperty("task_gpus") String taskGpus,
      @JsonProperty("training") List<String> training) {}

  /**
   * The inputs: the archives and, per case, the fingerprint of its files' contents.
   *
   * @param fingerprint SHA-256 over every case's fingerprint: one value to compare two runs' inputs
   */
  public record Inputs(
      @JsonProperty("train_archive") String trainArchive,
      @JsonProperty("test_archive") String testArchive,
      @JsonProperty("fingerprint") String fingerprint,
      @JsonProperty("cases") SortedMap<String, String> cases) {

    public static Inputs of(String train, String test, Map<String, String> cases) {
      TreeMap<String, String> sorted = new TreeMap<>(cases);
      return new Inputs(
          train,
          test,
          Fingerprint.builder().addSet("cases", Fingerprint.entries(sorted)).build().hash(),
          sorted);
    }
  }

  /** The code and runtime of this JVM. */
  public static Code currentCode() {
    BuildInfo b = BuildInfo.current();
    return new Code(b.version(), b.gitCommit(), b.dirty());
  }

  /**
   * The runtime of this JVM; libtorch comes from {@code PYTORCH_LIBRARY_PATH} when set (DJL's way
   * to use a CUDA build from the image), else from the CPU build bundled in the jar.
   */
  public static Runtime currentRuntime(String sparkVersion) {
    BuildInfo b = BuildInfo.current();
    String lib = System.getenv("PYTORCH_LIBRARY_PATH");
    return new Runtime(
        System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"),
        sparkVersion,
        b.djl(),
        b.libtorch(),
        lib == null || lib.isBlank() ? "bundled CPU build (pytorch-native-cpu)" : lib);
  }

  /** The resolved YAML as a JSON-ready tree. */
  public static Object configTree(String yaml) {
    return new Yaml(new LoaderOptions()).load(yaml);
  }

  /** Writes {@code file} atomically. */
  public void write(FileSystem fs, Path file) throws IOException {
    RunJson.write(fs, file, this);
  }

  public static Provenance read(FileSystem fs, Path file) throws IOException {
    if (!fs.exists(file)) {
      throw new java.io.FileNotFoundException(
          file + " does not exist (a run of a brats-cv older than provenance records)");
    }
    return RunJson.read(fs, file, Provenance.class, "provenance record");
  }

  /** A new record of the same run, stamped now. */
  public static Provenance of(
      Runtime runtime,
      Devices devices,
      String resolvedYaml,
      Inputs inputs,
      Map<String, String> outputs) {
    return new Provenance(
        currentCode(),
        runtime,
        devices,
        Fingerprint.sha256(resolvedYaml),
        configTree(resolvedYaml),
        inputs,
        new TreeMap<>(outputs),
        Instant.now().toString());
  }

  /** Distinct, sorted device names. */
  public static List<String> distinct(List<String> devices) {
    return new ArrayList<>(new TreeSet<>(devices));
  }
}
