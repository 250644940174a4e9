package org.bratscv.jobs.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.jobs.run.ModelPackage;
import org.bratscv.jobs.stages.ModelExport;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code brats-cv model export}: a finished run's ensemble as a model package. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the trained ensemble of a finished run as a model package: manifest.json (networks,"
          + " normalisations, TTA, threshold, merge, provenance) and one .safetensors per member"
          + " whose tensors carry the reference implementation's state-dict names"
          + " (encoder1.ConvBnRelu1.conv.weight, ...).",
      "--out is a folder, or a zip when it ends in .zip; segment --models reads either."
    })
public final class ModelExportCommand implements Callable<Integer> {
  @Option(
      names = "--run",
      required = true,
      description = "A finished run's folder (or its train/ folder, train/models.csv, a package).")
  String run;

  @Option(names = "--variant", description = "Variant of a sweep's models (default: the only one).")
  String variant;

  @Option(names = "--out", required = true, description = "Package folder, or FILE.zip.")
  String out;

  @Override
  public Integer call() throws Exception {
    TorchEngine.start(EngineSettings.defaults());
    ModelPackage.Manifest m = ModelExport.export(new Configuration(), run, variant, out);
    System.out.printf(
        "model export: %d models of variant %s (pipelines %s) -> %s%n",
        m.members().size(), m.variant(), ModelPackage.byPipeline(m).keySet(), out);
    return 0;
  }
}
