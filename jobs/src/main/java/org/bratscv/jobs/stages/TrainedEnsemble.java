package org.bratscv.jobs.stages;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.NetworkSettings;
import org.bratscv.jobs.config.Settings;
import org.bratscv.jobs.run.ModelPackage;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.model.net.Norm;

/**
 * The trained ensemble of a finished run, found from its models manifest ({@code
 * train/models.csv}): per pipeline the models of one variant with their networks and
 * normalisations, and the run's {@link Labeling} from its {@code config.yaml} (test-time
 * augmentations, threshold, second-pass merge, precision, brain mask) where one is found beside it.
 * Checkpoint folders are located relative to the manifest ({@code
 * <train>/<variant>/<pipeline>/fold<k>}), so a run folder can be moved or copied as a whole.
 *
 * <p>A sweep's selected ensemble (its {@code ensemble.csv}) is made by {@link #of} from the
 * selected rows; {@code selection} then holds the selection's fingerprint.
 *
 * @param source the manifest (or selection) read
 * @param selection the fingerprint of the selection the members come from, empty for every model of
 *     one variant
 */
public record TrainedEnsemble(
    String source,
    String variant,
    Map<String, List<InferStage.Member>> members,
    Labeling labeling,
    String selection) {

  /**
   * @param location a run folder, its {@code train/} folder, a {@code models.csv} file, or a model
   *     package ({@link ModelPackage}: a folder with a {@code manifest.json}, or a {@code .zip})
   * @param variant the variant to take (null: the only one in the manifest)
   */
  public static TrainedEnsemble load(Configuration conf, String location, String variant)
      throws IOException {
    Path p = new Path(location);
    FileSystem fs = p.getFileSystem(conf);
    if (ModelPackage.isPackage(fs, p)) {
      return loadPackage(fs, p, variant);
    }
    Path manifest;
    if (fs.exists(p) && fs.getFileStatus(p).isFile()) {
      manifest = p;
    } else if (fs.exists(new Path(p, "models.csv"))) {
      manifest = new Path(p, "models.csv");
    } else if (fs.exists(new Path(p, "train/models.csv"))) {
      manifest = new Path(p, "train/models.csv");
    } else {
      throw new IOException(
          "no models manifest at "
              + location
              + ": give a run folder (with train/models.csv), its train/ folder or a models.csv");
    }
    List<ModelRow> rows = ModelRow.TABLE.read(fs, manifest);
    if (rows.isEmpty()) {
      throw new IOException(manifest + ": the models manifest lists no model");
    }
    TreeSet<String> variants = new TreeSet<>();
    rows.forEach(r -> variants.add(r.getVariant()));
    if (variant == null) {
      if (variants.size() != 1) {
        throw new IOException(
            manifest + " holds the variants " + variants + ": choose one with --variant");
      }
      variant = variants.first();
    } else if (!variants.contains(variant)) {
      throw new IOException(manifest + " has no variant " + variant + " (has " + variants + ")");
    }
    // the run folder of the manifest: checkpoints are found relative to it, so it can be moved
    RunFolder run = new RunFolder(manifest.getParent().getParent().toString());
    Map<String, List<InferStage.Member>> members = new LinkedHashMap<>();
    int skipped = 0;
    for (ModelRow r : rows) {
      if (!r.getVariant().equals(variant)) {
        continue;
      }
      if (!r.isOk()) {
        skipped++;
        continue;
      }
      members.computeIfAbsent(r.getPipeline(), k -> new ArrayList<>()).add(member(fs, run, r));
    }
    if (members.isEmpty()) {
      throw new IOException(
          manifest + ": variant " + variant + " has no trained model (" + skipped + " failed)");
    }
    return of(
        fs,
        manifest.toString(),
        variant,
        members,
        List.of(run.configYaml(), run.variant(variant).configYaml()),
        "");
  }

  /** The ensemble member of a models-manifest row of {@code run}. */
  public static InferStage.Member member(FileSystem fs, RunFolder run, ModelRow r) {
    NetworkSettings net =
        new NetworkSettings(
            r.getWidth(), Norm.parse(r.getNorm()), r.getDeepSupervision(), r.getAttention(), 0f);
    Path taskDir = run.taskDir(r.getVariant(), r.getPipeline(), r.getFold());
    return new InferStage.Member(
        r.getVariant(),
        r.getPipeline(),
        r.getFold(),
        fs.makeQualified(taskDir).toString(),
        Normalization.parse(r.getNormalization()),
        net,
        r.getFingerprint());
  }

  /**
   * An ensemble of {@code members} with the labeling of the first of {@code configs} that exists
   * (its {@code ensemble.*} keys; the others, and without a config: {@link Labeling#defaults}); a
   * merge that names a pipeline the members lack is dropped.
   *
   * @param selection the fingerprint of the selection the members come from, or empty
   */
  public static TrainedEnsemble of(
      FileSystem fs,
      String source,
      String variant,
      Map<String, List<InferStage.Member>> members,
      List<Path> configs,
      String selection)
      throws IOException {
    Labeling labeling = Labeling.defaults(members.keySet());
    for (Path config : configs) {
      if (!fs.exists(config)) {
        continue;
      }
      ConfigTree tree;
      try (InputStream in = fs.open(config)) {
        tree =
            ConfigTree.parse(
                new String(in.readAllBytes(), StandardCharsets.UTF_8), java.nio.file.Path.of("."));
      }
      try {
        labeling = Labeling.read(Settings.of(tree).section("ensemble"), labeling);
      } catch (ConfigException bad) {
        throw new IOException(config + ": " + bad.getMessage(), bad);
      }
      break;
    }
    return new TrainedEnsemble(
        source, variant, members, labeling.mergingOnly(members.keySet()), selection);
  }

  /**
   * The ensemble of a model package; its member files are checked against the manifest's SHA-256
   * first, so a changed or corrupted file is an error, never a silent load.
   */
  private static TrainedEnsemble loadPackage(FileSystem fs, Path location, String variant)
      throws IOException {
    ModelPackage.Manifest m = ModelPackage.readManifest(fs, location);
    if (variant != null && !variant.equals(m.variant())) {
      throw new IOException(
          location + " holds the models of variant " + m.variant() + ", not " + variant);
    }
    ModelPackage.verify(fs, location, m);
    Map<String, List<InferStage.Member>> members = new LinkedHashMap<>();
    for (ModelPackage.Member x : m.members()) {
      members
          .computeIfAbsent(x.pipeline(), k -> new ArrayList<>())
          .add(
              new InferStage.Member(
                  m.variant(),
                  x.pipeline(),
                  x.fold(),
                  ModelPackage.memberLocation(fs, location, x.file()),
                  Normalization.parse(x.normalization()),
                  ModelExport.network(x),
                  x.fingerprint()));
    }
    return new TrainedEnsemble(
        ModelPackage.memberLocation(fs, location, ModelPackage.MANIFEST),
        m.variant(),
        members,
        ModelExport.labeling(m.ensemble(), members.keySet(), location),
        "");
  }

  public int modelCount() {
    return members.values().stream().mapToInt(List::size).sum();
  }
}
