package org.bratscv.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.run.ModelPackage;
import org.bratscv.jobs.stages.ModelExport;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;
import org.bratscv.model.net.Norm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code brats-cv model import}: weights trained elsewhere (the reference code, or another
 * brats-cv) as a model package that {@code segment --models} uses.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Makes a model package from .safetensors files whose tensors carry the reference"
          + " implementation's state-dict names (a model.state_dict() of open_brats2020's EquiUnet"
          + " or Att_EquiUnet). Every file must hold exactly the declared network's tensors;"
          + " the package gets float32 copies, their SHA-256 and the ensemble settings.",
      "Either --manifest FILE (a manifest.json as model export writes it: per member pipeline,"
          + " fold, file relative to the manifest, architecture, width, norm, deep_supervision,"
          + " normalization; several pipelines and a merge possible), or --weights FILE... with"
          + " the network options (one pipeline, the files its folds 0, 1, ...)."
    })
public final class ModelImportCommand implements Callable<Integer> {
  @Option(names = "--manifest", description = "A manifest.json listing the members.")
  String manifest;

  @Option(names = "--weights", arity = "1..*", description = "The .safetensors of folds 0, 1, ...")
  List<String> weights = new ArrayList<>();

  @Option(names = "--arch", defaultValue = "EquiUnet", description = "EquiUnet or Att_EquiUnet.")
  String arch;

  @Option(names = "--width", defaultValue = "48", description = "Width (default ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--norm", defaultValue = "group", description = "group or instance.")
  String norm;

  @Option(names = "--deep-supervision", description = "The files hold the four heads too.")
  boolean deepSupervision;

  @Option(
      names = "--normalization",
      defaultValue = "A",
      description =
          "Input normalisation the network was trained on: A (min-max of the 1st-99th percentile)"
              + " or B (z-score) (default ${DEFAULT-VALUE}).")
  String normalization;

  @Option(names = "--pipeline", defaultValue = "A", description = "Pipeline name (default A).")
  String pipeline;

  @Option(names = "--variant", defaultValue = "imported", description = "Variant name.")
  String variant;

  @Option(names = "--tta", defaultValue = "16", description = "Test-time augmentations, 1 or 16.")
  int tta;

  @Option(names = "--threshold", defaultValue = "0.5", description = "Probability threshold.")
  double threshold;

  @Option(names = "--out", required = true, description = "Package folder, or FILE.zip.")
  String out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if ((manifest == null) == weights.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "give either --manifest FILE or --weights FILE...");
    }
    Configuration conf = new Configuration();
    ModelPackage.Manifest declared;
    Path base;
    if (manifest != null) {
      Path file = new Path(manifest);
      FileSystem fs = file.getFileSystem(conf);
      declared = ModelPackage.readManifestFile(fs, file);
      base = fs.makeQualified(file).getParent();
    } else {
      List<ModelPackage.Member> members = new ArrayList<>();
      for (int fold = 0; fold < weights.size(); fold++) {
        members.add(
            new ModelPackage.Member(
                pipeline,
                fold,
                weights.get(fold),
                null,
                arch,
                width,
                Norm.parse(norm).name().toLowerCase(Locale.ROOT),
                deepSupervision,
                normalization,
                null));
      }
      declared =
          new ModelPackage.Manifest(
              null,
              null,
              variant,
              null,
              null,
              null,
              new ModelPackage.EnsembleSettings(tta, threshold, List.of(), "fp32", false),
              members,
              null);
      base = new Path(new java.io.File(".").getAbsoluteFile().toURI());
    }
    TorchEngine.start(EngineSettings.defaults());
    ModelPackage.Manifest m = ModelExport.importWeights(conf, declared, base, out);
    System.out.printf(
        "model import: %d models (pipelines %s) -> %s%n",
        m.members().size(), ModelPackage.byPipeline(m).keySet(), out);
    return 0;
  }
}
