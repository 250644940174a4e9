package org.bratscv.jobs.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bratscv.data.volume.Dims;
import org.bratscv.model.bench.InferenceBenchmark;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code brats-cv bench infer}: cases per minute through an ensemble of EquiUnets under the 16
 * test-time augmentations, on random data and weights, as the infer and segment stages run it.
 * {@code bench/infer_torch.py} prints the same keys for PyTorch eager.
 */
@Command(
    name = "infer",
    mixinStandardHelpOptions = true,
    description =
        "Time the inference of one case: N members x 16 test-time augmentations, probabilities"
            + " averaged.")
public final class BenchInferCommand implements Callable<Integer> {
  @Mixin NetworkOptions network = new NetworkOptions();

  @Option(
      names = "--size",
      description =
          "The case's padded size: one edge (a cube) or DxHxW, multiples of 8 (default"
              + " ${DEFAULT-VALUE}).")
  String size = "128x128x96";

  @Option(names = "--members", description = "Networks in the ensemble (default ${DEFAULT-VALUE}).")
  int members = 2;

  @Option(
      names = "--tta",
      description = "Test-time augmentations per member, 16 or 1 (default ${DEFAULT-VALUE}).")
  int tta = 16;

  @Option(
      names = "--batch",
      description =
          "Augmented copies per forward pass at most; 0 = as many as the default batch budget"
              + " allows, 1 = one at a time (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--cases",
      description = "Timed cases after one warm-up case (default ${DEFAULT-VALUE}).")
  int cases = 2;

  @Option(
      names = "--threads",
      description = "libtorch intra-op threads, 0 = its default (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--device", description = "cpu, gpu, gpu:N or N (default ${DEFAULT-VALUE}).")
  String device = "cpu";

  @Option(names = "--seed", description = "Seed of weights and data (default ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Dims dims = parseSize(size);
    TorchEngine engine = TorchEngine.start(EngineSettings.defaults().withThreads(threads, 0));
    Device dev = engine.device(device);
    InferenceBenchmark.Result r =
        InferenceBenchmark.run(
            new InferenceBenchmark.Settings(
                network.config(false), dims, members, tta, batch, cases, dev, seed));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ms_per_case", Math.round(r.msPerCase() * 10) / 10.0);
    out.put("cases_per_minute", Math.round(r.casesPerMinute() * 1000) / 1000.0);
    out.put("ms_per_prediction", Math.round(r.msPerCase() / r.predictionsPerCase() * 10) / 10.0);
    out.put("width", network.width);
    out.put("size", dims.nz() + "x" + dims.ny() + "x" + dims.nx());
    out.put("members", members);
    out.put("tta", tta);
    out.put("batch", r.batch());
    out.put("cases", cases);
    out.put("threads", engine.intraOpThreads());
    out.put("device", dev.toString());
    out.put("norm", network.norm.name().toLowerCase(Locale.ROOT));
    out.put("mean_probability", Math.round(r.meanProbability() * 1e4) / 1e4);
    out.put("engine", engine.describe());
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(out));
    } else {
      out.forEach((k, v) -> System.out.println(k + ": " + v));
    }
    return 0;
  }

  /** {@code 96} (a cube) or {@code DxHxW}. */
  static Dims parseSize(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split("x");
    try {
      if (parts.length == 1) {
        int e = Integer.parseInt(parts[0]);
        return new Dims(e, e, e);
      }
      if (parts.length == 3) {
        return new Dims(
            Integer.parseInt(parts[2]), Integer.parseInt(parts[1]), Integer.parseInt(parts[0]));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--size is one edge or DxHxW, e.g. 96 or 128x128x96; got " + text);
  }
}
