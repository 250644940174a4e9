package org.bratscv.jobs.sweep;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.config.ConfigFile;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.config.Settings;

/**
 * A sweep file: a base run configuration and named variants, each a set of overrides of it, one of
 * them the baseline the others are compared with. Every variant shares the base's data, folds and
 * seed (so preprocessing and the split are computed once); anything else may differ.
 *
 * <pre>
 * name: ablation-nightly
 * base: brats2020-cv.yaml          # relative to this file
 * output: hdfs:///runs/ablation    # dated run folders go inside, plus a `latest` pointer
 * set: {pipelines.B: null, ensemble.merge: []}   # overrides for every variant
 * baseline: unet
 * compare: oof-A                   # labelmap set compared (default: oof-merged, else oof-first)
 * compare_metrics: [dice, hd95]    # metrics compared (also lesionwise_dice, lesionwise_hd95, ...)
 * variants:
 *   unet: {}
 *   patient-removal: {removal: {from: unet, quantile: 0.9}}
 *   attention: {set: {pipelines.A.network.attention: true}}
 * ensemble:                        # optional: members chosen from every variant's models
 *   members: [{pipeline: A, from: [unet, patient-removal, attention], per_fold: 2}]
 * </pre>
 *
 * With an {@code ensemble} section ({@link MemberSelection}) the variants are its candidates: they
 * are scored out of fold only, and the test archive is segmented by the selected ensemble.
 *
 * @param variants every variant's resolved configuration, in file order, output unset
 * @param ensemble the {@code ensemble} section, or null when the sweep has none
 */
public record SweepConfig(
    String name,
    String output,
    String baseline,
    String compare,
    List<String> compareMetrics,
    Map<String, Variant> variants,
    MemberSelection ensemble,
    String resolvedYaml)
    implements Serializable {

  /**
   * Patient removal: after variant {@code from} is trained, its training cases are ranked by their
   * Dice loss and those above the {@code quantile} of the losses (or above {@code threshold}) are
   * left out of this variant's training sets.
   */
  public record Removal(String from, Double quantile, Double threshold) implements Serializable {
    public Removal {
      if ((quantile == null) == (threshold == null)) {
        throw new ConfigException(
            "removal: give exactly one of quantile (e.g. 0.9: drop the worst 10%) or threshold"
                + " (a Dice loss)");
      }
      if (quantile != null && !(quantile > 0 && quantile < 1)) {
        throw new ConfigException("removal.quantile must be in (0, 1), got " + quantile);
      }
      if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
        throw new ConfigException("removal.threshold is a Dice loss in [0, 1], got " + threshold);
      }
    }
  }

  /** One variant: its overrides (as given) and its resolved run configuration. */
  public record Variant(
      String name, Map<String, Object> overrides, RunConfig config, Removal removal)
      implements Serializable {}

  /** Loads a sweep file; {@code overrides} ({@code key=value}) apply to every variant. */
  public static SweepConfig load(Path file, List<String> overrides) {
    return load(file, overrides, null);
  }

  /**
   * Loads a local sweep file; {@code overrides} apply to every variant, and {@code output} (when
   * not null) replaces the file's {@code output}.
   */
  public static SweepConfig load(Path file, List<String> overrides, String output) {
    return load(ConfigFile.of(file), new Configuration(), overrides, output);
  }

  /**
   * Loads a sweep file from any Hadoop file system; its {@code base} is looked for next to it, then
   * among the bundled configurations ({@link ConfigFile#resolve}).
   */
  public static SweepConfig load(
      ConfigFile file, Configuration hadoop, List<String> overrides, String output) {
    ConfigTree tree = ConfigTree.load(file, hadoop);
    if (output != null) {
      tree = tree.with("output", output);
    }
    return of(tree, base -> ConfigTree.load(file.resolve(base, hadoop), hadoop), overrides);
  }

  static SweepConfig of(ConfigTree tree, Path dir, List<String> overrides) {
    return of(tree, base -> ConfigTree.load(dir.resolve(base)), overrides);
  }

  private static SweepConfig of(
      ConfigTree tree, Function<String, ConfigTree> bases, List<String> overrides) {
    Settings s = Settings.of(tree);
    String name = s.string("name", "sweep");
    String base = s.requiredString("base");
    String output = s.requiredString("output");
    String baseline = s.requiredString("baseline");
    String compare = s.string("compare", null);
    MemberSelection ensemble =
        tree.get("ensemble") == null ? null : MemberSelection.parse(tree.get("ensemble"));
    s.section("ensemble");
    List<String> compareMetrics = s.strings("compare_metrics", List.of("dice", "hd95"));
    for (String m : compareMetrics) {
      try {
        org.bratscv.data.metrics.Metric.parse(m);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("compare_metrics: " + e.getMessage());
      }
    }
    if (compareMetrics.isEmpty()) {
      throw new ConfigException("compare_metrics: name at least one metric, e.g. [dice, hd95]");
    }
    Map<String, Object> common = entries(tree, "set");
    s.section("set");
    List<String> names = s.sectionKeys("variants");
    if (names.isEmpty()) {
      throw new ConfigException("variants: at least the baseline is needed");
    }
    ConfigTree baseTree = bases.apply(base);
    Map<String, Variant> variants = new LinkedHashMap<>();
    Settings vs = s.section("variants");
    for (String v : names) {
      if (!v.matches("[A-Za-z0-9_\\-]{1,40}")) {
        throw new ConfigException(
            "variant name '" + v + "' must be letters, digits, '_' or '-' (it names folders)");
      }
      Settings one = vs.section(v);
      Map<String, Object> own = entries(tree, "variants." + v + ".set");
      one.section("set");
      Removal removal = null;
      if (tree.get("variants." + v + ".removal") != null) {
        Settings r = one.section("removal");
        String from = r.requiredString("from");
        Double q = r.has("quantile") ? r.number("quantile", 0) : null;
        Double t = r.has("threshold") ? r.number("threshold", 0) : null;
        r.rejectUnknownKeys();
        removal = new Removal(from, q, t);
      } else {
        one.section("removal");
      }
      one.rejectUnknownKeys();
      ConfigTree t = baseTree;
      for (Map.Entry<String, Object> e : common.entrySet()) {
        t = t.with(e.getKey(), e.getValue());
      }
      for (Map.Entry<String, Object> e : own.entrySet()) {
        t = t.with(e.getKey(), e.getValue());
      }
      t = t.withAll(overrides).with("output", output);
      RunConfig c;
      try {
        c = RunConfig.of(t);
      } catch (ConfigException e) {
        throw new ConfigException("variant " + v + ": " + e.getMessage(), e);
      }
      if (c.ensemble().models() != null) {
        throw new ConfigException(
            "variant "
                + v
                + ": ensemble.models ("
                + c.ensemble().models()
                + ") is a key of a cv run; a sweep segments data.test with each variant's models"
                + " or with its selected ensemble (an ensemble section)");
      }
      Map<String, Object> all = new LinkedHashMap<>(common);
      all.putAll(own);
      variants.put(v, new Variant(v, all, c, removal));
    }
    vs.rejectUnknownKeys();
    s.rejectUnknownKeys();
    if (!variants.containsKey(baseline)) {
      throw new ConfigException(
          "baseline '" + baseline + "' is not one of the variants " + variants.keySet());
    }
    for (Variant v : variants.values()) {
      if (v.removal() != null) {
        Variant from = variants.get(v.removal().from());
        if (from == null || from.removal() != null) {
          throw new ConfigException(
              "variant "
                  + v.name()
                  + ": removal.from must name a variant without removal, got '"
                  + v.removal().from()
                  + "'");
        }
      }
    }
    checkShared(variants.get(baseline), variants.values());
    if (ensemble != null) {
      checkMembers(ensemble, variants);
    }
    return new SweepConfig(
        name, output, baseline, compare, compareMetrics, variants, ensemble, tree.toYaml());
  }

  /** Every variant an ensemble rule names exists and trains the rule's pipeline. */
  private static void checkMembers(MemberSelection ensemble, Map<String, Variant> variants) {
    for (MemberSelection.Rule r : ensemble.rules()) {
      for (String v : r.ranked() ? r.from() : List.of(r.variant())) {
        Variant found = variants.get(v);
        if (found == null) {
          throw new ConfigException(
              "ensemble: " + r.describe() + ": no variant " + v + " (" + variants.keySet() + ")");
        }
        if (!found.config().pipelines().containsKey(r.pipeline())) {
          throw new ConfigException(
              "ensemble: "
                  + r.describe()
                  + ": variant "
                  + v
                  + " has no pipeline "
                  + r.pipeline()
                  + " (has "
                  + found.config().pipelines().keySet()
                  + ")");
        }
        if (r.fold() != null && r.fold() >= found.config().folds()) {
          throw new ConfigException(
              "ensemble: "
                  + r.describe()
                  + ": the sweep has folds 0.."
                  + (found.config().folds() - 1));
        }
      }
    }
  }

  /** The dotted-key overrides of a {@code set} map (nested maps are flattened to dotted keys). */
  private static Map<String, Object> entries(ConfigTree tree, String key) {
    Map<String, Object> out = new LinkedHashMap<>();
    Object v = tree.get(key);
    if (v == null) {
      return out;
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new ConfigException(key + ": expected a map of key.path: value, got " + v);
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.put(String.valueOf(e.getKey()), e.getValue());
    }
    return out;
  }

  /** Variants share preprocessing and the split: their data, folds and seed must agree. */
  private static void checkShared(Variant baseline, Iterable<Variant> all) {
    RunConfig b = baseline.config();
    for (Variant v : all) {
      RunConfig c = v.config();
      List<String> differ = new ArrayList<>();
      if (!Objects.equals(b.trainArchive(), c.trainArchive())) {
        differ.add("data.train");
      }
      if (!Objects.equals(b.testArchive(), c.testArchive())) {
        differ.add("data.test");
      }
      if (!Objects.equals(b.labelScheme(), c.labelScheme())) {
        differ.add("data.labels");
      }
      if (b.maxVoxelBytes() != c.maxVoxelBytes()) {
        differ.add("data.max_voxel_bytes");
      }
      if (b.folds() != c.folds() || !Objects.equals(b.splitFile(), c.splitFile())) {
        differ.add("folds");
      }
      if (b.seed() != c.seed()) {
        differ.add("seed");
      }
      if (!differ.isEmpty()) {
        throw new ConfigException(
            "variant "
                + v.name()
                + " changes "
                + differ
                + ", which the variants of a sweep share (one preprocessing, one split); run a"
                + " separate sweep instead");
      }
    }
  }

  /** The normalisations any variant needs: preprocessing writes them all once. */
  public Set<Normalization> normalizations() {
    Set<Normalization> out = EnumSet.noneOf(Normalization.class);
    variants.values().forEach(v -> out.addAll(v.config().normalizations()));
    return out;
  }

  public RunConfig baselineConfig() {
    return variants.get(baseline).config();
  }

  /** The labelmap set compared between variants: {@code compare}, else merged, else first. */
  public String compareSet(Variant v) {
    if (compare != null) {
      return compare;
    }
    RunConfig c = v.config();
    return c.ensemble().labeling().merge().isEmpty()
        ? "oof-" + c.pipelines().keySet().iterator().next()
        : "oof-merged";
  }
}
