package org.bratscv.jobs.config;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.data.folds.KFold;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.metrics.MetricConventions;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.model.engine.DeviceChoice;
import org.bratscv.model.train.TrainingConfig;

/**
 * A whole run, as one YAML file describes it (see {@code conf/README.md} for every key): data
 * source, output root, folds, the training pipelines, the ensemble, metric conventions, compute and
 * Spark settings. Built from a {@link ConfigTree} after {@code --set} overrides; unknown keys are
 * errors.
 *
 * @param trainArchive the labelled archive to cross-validate on
 * @param testArchive a second archive scored or segmented by the whole ensemble, or null
 * @param labelScheme the archive's labels, or null to take each case layout's own
 * @param splitFile an imported fold split, or null to draw one with the seed
 * @param metricConventions how cases are scored, or null to take each case layout's own (brats2020
 *     for 2020/2021, brats2023-gli for 2023+)
 */
public record RunConfig(
    String name,
    long seed,
    String trainArchive,
    String testArchive,
    LabelScheme labelScheme,
    long maxVoxelBytes,
    String output,
    int folds,
    String splitFile,
    Map<String, PipelineSettings> pipelines,
    EnsembleSettings ensemble,
    MetricConventions metricConventions,
    ComputeSettings compute,
    Map<String, String> spark,
    String resolvedYaml)
    implements Serializable {

  /**
   * The {@code ensemble} section.
   *
   * @param labeling how the ensemble's outputs become labelmaps ({@code tta, threshold, merge,
   *     precision, brain_mask})
   * @param models the ensemble that segments {@code data.test} instead of the run's own models (a
   *     run root, a sweep root with a selected ensemble, or a model package folder or zip, on any
   *     Hadoop file system), or null for the run's own models
   * @param given the keys of the labeling the configuration sets: with {@code models}, the others
   *     are the ensemble's own (as {@code segment} takes them)
   * @param ttaBatchBytes {@code tta_batch_bytes}: the memory one forward pass's batch of augmented
   *     copies may take ({@link org.bratscv.model.infer.Ensemble.Builder#optBatchBytes}); 0 runs
   *     the augmentations one at a time. Outputs change only by float rounding, so it is no
   *     fingerprint ingredient
   */
  public record EnsembleSettings(
      Labeling labeling, String models, Set<String> given, long ttaBatchBytes)
      implements Serializable {}

  /**
   * The {@code compute} section.
   *
   * @param casesPerTask cases one preprocess/infer/evaluate task handles
   * @param engineThreads CPU cores an inference (or segment, or training-loss) task holds and the
   *     libtorch intra-op threads it runs: one number ({@code org.bratscv.jobs.spark.TaskCpus})
   * @param trainCpusPerTask CPU cores a training task holds and the libtorch intra-op threads it
   *     runs ({@code engine_threads} unless set)
   * @param inferGpuShare fraction of a GPU an inference task asks for (GPU clusters only)
   * @param device where training and inference tasks compute: {@code auto} (the GPU Spark gives a
   *     task, else GPU 0 when there is one, else the CPU), {@code cpu}, {@code gpu}, {@code gpu:N}
   * @param caseCacheMb the megabytes of prepared cases a training task keeps in memory between
   *     epochs (least recently used go first; 0 reads every sample's case from disk)
   */
  public record ComputeSettings(
      int casesPerTask,
      int engineThreads,
      int trainCpusPerTask,
      double inferGpuShare,
      String device,
      int caseCacheMb)
      implements Serializable {
    /** The default of {@code compute.case_cache_mb}: about 15 BraTS cases cropped to the brain. */
    public static final int DEFAULT_CASE_CACHE_MB = 1024;

    public ComputeSettings {
      if (casesPerTask < 1 || engineThreads < 1 || trainCpusPerTask < 1) {
        throw new ConfigException(
            "compute.cases_per_task, engine_threads and train_cpus_per_task must be >= 1, got "
                + casesPerTask
                + ", "
                + engineThreads
                + ", "
                + trainCpusPerTask);
      }
      if (caseCacheMb < 0) {
        throw new ConfigException("compute.case_cache_mb must be >= 0, got " + caseCacheMb);
      }
    }

    /** {@link #caseCacheMb} in bytes. */
    public long caseCacheBytes() {
      return caseCacheMb * 1024L * 1024L;
    }
  }

  /** Loads {@code file}, applies {@code overrides} ({@code key=value}) and validates. */
  public static RunConfig load(Path file, List<String> overrides) {
    return of(ConfigTree.load(file).withAll(overrides));
  }

  /** Loads {@code file} from any Hadoop file system, applies {@code overrides} and validates. */
  public static RunConfig load(ConfigFile file, Configuration hadoop, List<String> overrides) {
    return of(ConfigTree.load(file, hadoop).withAll(overrides));
  }

  public static RunConfig of(ConfigTree tree) {
    Settings s = Settings.of(tree);
    String name = s.string("name", "brats-cv");
    long seed = s.longValue("seed", TrainingConfig.DEFAULT_SEED);

    Settings data = s.section("data");
    String train = data.requiredString("train");
    String test = data.string("test", null);
    String labels =
        data.choice(
            "labels", "auto", "auto", "brats2020", "brats2021", "brats2023", "brats2024", "msd");
    long maxVoxelBytes = data.longValue("max_voxel_bytes", Integer.MAX_VALUE - 8L);
    data.rejectUnknownKeys();

    String output = s.requiredString("output");

    Settings folds = s.section("folds");
    int k = folds.integer("k", KFold.DEFAULT_K);
    String split = folds.string("split_file", null);
    folds.rejectUnknownKeys();

    Map<String, PipelineSettings> pipelines = new LinkedHashMap<>();
    Settings ps = s.section("pipelines");
    List<String> names = s.sectionKeys("pipelines");
    if (names.isEmpty()) {
      throw new ConfigException("pipelines: at least one pipeline is needed (e.g. A and B)");
    }
    for (String p : names) {
      Settings section = ps.section(p);
      if (!ps.has(p)) {
        continue; // `pipelines.B: null` drops a pipeline an included file brought
      }
      checkName("pipeline", p);
      pipelines.put(p, PipelineSettings.read(p, section, seed));
    }
    ps.rejectUnknownKeys();
    if (pipelines.isEmpty()) {
      throw new ConfigException("pipelines: every pipeline is set to null; at least one is needed");
    }

    Settings e = s.section("ensemble");
    Labeling labeling = Labeling.read(e, Labeling.defaults(pipelines.keySet()));
    if (!pipelines.keySet().containsAll(labeling.merge())) {
      throw new ConfigException(
          "ensemble.merge names the two pipelines of the second pass (first one's labels kept),"
              + " got "
              + labeling.merge()
              + "; pipelines are "
              + pipelines.keySet());
    }
    String models = e.string("models", null);
    // default one at a time: on the CPU, batches measured slower (bench infer, README Benchmarks)
    long ttaBatchBytes = e.longValue("tta_batch_bytes", 0);
    if (ttaBatchBytes < 0) {
      throw new ConfigException(
          "ensemble.tta_batch_bytes must be >= 0 (0 = one augmentation at a time), got "
              + ttaBatchBytes);
    }
    Set<String> given = new TreeSet<>();
    for (String key : Labeling.KEYS) {
      if (e.has(key)) {
        given.add(key);
      }
    }
    e.rejectUnknownKeys();

    Settings m = s.section("metrics");
    if (m.has("empty_hd95")) {
      throw new ConfigException(
          "metrics.empty_hd95 is no longer read: choose metrics.convention instead (brats2020 scores"
              + " one empty mask 373.13, brats2023[-gli|-ssa|-ped|-men|-met] 374; auto takes each"
              + " case layout's own)");
    }
    String convention = m.string("convention", "auto");
    MetricConventions metricConventions;
    try {
      metricConventions = convention.equals("auto") ? null : MetricConventions.parse(convention);
    } catch (IllegalArgumentException bad) {
      throw new ConfigException("metrics.convention: " + bad.getMessage() + " or auto");
    }
    m.rejectUnknownKeys();

    Settings c = s.section("compute");
    int engineThreads = c.integer("engine_threads", 1);
    ComputeSettings compute =
        new ComputeSettings(
            c.integer("cases_per_task", 2),
            engineThreads,
            c.integer("train_cpus_per_task", engineThreads),
            c.number("infer_gpu_share", 0.25),
            device(c.string("device", DeviceChoice.AUTO)),
            c.integer("case_cache_mb", ComputeSettings.DEFAULT_CASE_CACHE_MB));
    c.rejectUnknownKeys();

    Map<String, String> spark = new LinkedHashMap<>();
    for (Map.Entry<String, Object> en : tree.section("spark").asMap().entrySet()) {
      spark.put(en.getKey(), String.valueOf(en.getValue()));
    }
    s.section("spark");
    s.rejectUnknownKeys();

    return new RunConfig(
        name,
        seed,
        train,
        test,
        labels.equals("auto") ? null : LabelScheme.parse(labels),
        maxVoxelBytes,
        output,
        k,
        split,
        pipelines,
        new EnsembleSettings(labeling, models, Set.copyOf(given), ttaBatchBytes),
        metricConventions,
        compute,
        spark,
        tree.toYaml());
  }

  private static void checkName(String what, String name) {
    if (!name.matches("[A-Za-z0-9_\\-]{1,40}")) {
      throw new ConfigException(
          what + " name '" + name + "' must be letters, digits, '_' or '-' (it names folders)");
    }
  }

  /** The normalisations the pipelines need, so preprocessing writes each once. */
  public Set<Normalization> normalizations() {
    Set<Normalization> out = EnumSet.noneOf(Normalization.class);
    pipelines.values().forEach(p -> out.add(p.normalization()));
    return out;
  }

  @Override
  public String toString() {
    return "RunConfig["
        + name
        + ", pipelines "
        + pipelines.keySet()
        + ", "
        + folds
        + " folds, output "
        + output
        + "]";
  }

  private static String device(String setting) {
    try {
      return DeviceChoice.checkSetting(setting);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("compute.device: " + e.getMessage());
    }
  }
}
