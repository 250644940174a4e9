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
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.NetworkSettings;
import org.bratscv.model.infer.Precision;
import org.bratscv.model.net.Norm;

/**
 * The trained ensemble of a finished run, found from its models manifest ({@code
 * train/models.csv}): per pipeline the models of one variant with their networks and
 * normalisations, and the run's ensemble settings from its {@code config.yaml} (test-time
 * augmentations, threshold, second-pass merge, precision) where one is found beside it. Checkpoint
 * folders are located relative to the manifest ({@code <train>/<variant>/<pipeline>/fold<k>}), so a
 * run folder can be moved or copied as a whole.
 *
 * @param source the manifest read
 */
public record TrainedEnsemble(
    String source,
    String variant,
    Map<String, List<InferStage.Member>> members,
    int tta,
    double threshold,
    List<String> merge,
    Precision precision) {

  /**
   * @param location a run folder, its {@code train/} folder, or a {@code models.csv} file
   * @param variant the variant to take (null: the only one in the manifest)
   */
  public static TrainedEnsemble load(Configuration conf, String location, String variant)
      throws IOException {
    Path p = new Path(location);
    FileSystem fs = p.getFileSystem(conf);
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
    List<String[]> rows;
    try (InputStream in = fs.open(manifest)) {
      rows = org.bratscv.jobs.io.Csv.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    if (rows.isEmpty()) {
      throw new IOException(manifest + ": empty models manifest");
    }
    List<String> header = List.of(rows.get(0));
    for (String col :
        List.of(
            "variant",
            "pipeline",
            "fold",
            "status",
            "normalization",
            "width",
            "norm",
            "deep_supervision",
            "attention")) {
      if (!header.contains(col)) {
        throw new IOException(manifest + ": not a models manifest (no column " + col + ")");
      }
    }
    TreeSet<String> variants = new TreeSet<>();
    for (String[] r : rows.subList(1, rows.size())) {
      variants.add(r[header.indexOf("variant")]);
    }
    if (variant == null) {
      if (variants.size() != 1) {
        throw new IOException(
            manifest + " holds the variants " + variants + ": choose one with --variant");
      }
      variant = variants.first();
    } else if (!variants.contains(variant)) {
      throw new IOException(manifest + " has no variant " + variant + " (has " + variants + ")");
    }
    Path trainDir = manifest.getParent();
    Map<String, List<InferStage.Member>> members = new LinkedHashMap<>();
    int skipped = 0;
    for (String[] r : rows.subList(1, rows.size())) {
      if (!r[header.indexOf("variant")].equals(variant)) {
        continue;
      }
      if (!"ok".equals(r[header.indexOf("status")])) {
        skipped++;
        continue;
      }
      String pipeline = r[header.indexOf("pipeline")];
      int fold = Integer.parseInt(r[header.indexOf("fold")]);
      NetworkSettings net =
          new NetworkSettings(
              Integer.parseInt(r[header.indexOf("width")]),
              Norm.parse(r[header.indexOf("norm")]),
              Boolean.parseBoolean(r[header.indexOf("deep_supervision")]),
              Boolean.parseBoolean(r[header.indexOf("attention")]),
              0f);
      Path taskDir = new Path(new Path(new Path(trainDir, variant), pipeline), "fold" + fold);
      members
          .computeIfAbsent(pipeline, k -> new ArrayList<>())
          .add(
              new InferStage.Member(
                  pipeline,
                  fold,
                  fs.makeQualified(taskDir).toString(),
                  Normalization.parse(r[header.indexOf("normalization")]),
                  net));
    }
    if (members.isEmpty()) {
      throw new IOException(
          manifest + ": variant " + variant + " has no trained model (" + skipped + " failed)");
    }

    int tta = 16;
    double threshold = 0.5;
    List<String> merge =
        members.size() == 2 ? new ArrayList<>(members.keySet()) : new ArrayList<>();
    Precision precision = Precision.FP32;
    Path runDir = trainDir.getParent();
    for (Path config :
        runDir == null
            ? List.<Path>of()
            : List.of(
                new Path(runDir, "config.yaml"),
                new Path(new Path(new Path(runDir, "variants"), variant), "config.yaml"))) {
      if (!fs.exists(config)) {
        continue;
      }
      ConfigTree tree;
      try (InputStream in = fs.open(config)) {
        tree =
            ConfigTree.parse(
                new String(in.readAllBytes(), StandardCharsets.UTF_8), java.nio.file.Path.of("."));
      }
      Object t = tree.get("ensemble.tta");
      if (t instanceof Number n) {
        tta = n.intValue();
      }
      Object th = tree.get("ensemble.threshold");
      if (th instanceof Number n) {
        threshold = n.doubleValue();
      }
      Object m = tree.get("ensemble.merge");
      if (m instanceof List<?> l) {
        List<String> names = l.stream().map(String::valueOf).toList();
        merge = members.keySet().containsAll(names) && names.size() == 2 ? names : List.of();
      }
      Object pr = tree.get("ensemble.precision");
      if (pr != null) {
        precision = Precision.parse(pr.toString());
      }
      break;
    }
    return new TrainedEnsemble(
        manifest.toString(), variant, members, tta, threshold, merge, precision);
  }

  public int modelCount() {
    return members.values().stream().mapToInt(List::size).sum();
  }
}
