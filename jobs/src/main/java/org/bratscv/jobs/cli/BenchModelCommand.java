package org.bratscv.jobs.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bratscv.model.bench.ModelBenchmark;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;
import org.bratscv.model.infer.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code brats-cv bench model}: milliseconds per EquiUnet training step (forward, soft Dice,
 * backward, Adam) and per inference forward pass, on random data. {@code bench/equiunet_torch.py}
 * prints the same keys for PyTorch eager.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description =
        "Time an EquiUnet training step and forward pass on random data; report peak memory.")
public final class BenchModelCommand implements Callable<Integer> {
  @Mixin NetworkOptions network = new NetworkOptions();

  @Option(
      names = "--deep-supervision",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Train with the four deep-supervision heads (default ${DEFAULT-VALUE}).")
  boolean deepSupervision;

  @Option(
      names = "--size",
      description = "Edge of the input cube, multiple of 8 (default ${DEFAULT-VALUE}).")
  int size = 64;

  @Option(
      names = "--steps",
      description = "Timed repetitions after one warm-up (default ${DEFAULT-VALUE}).")
  int steps = 5;

  @Option(
      names = "--threads",
      description = "libtorch intra-op threads, 0 = its default (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--device", description = "cpu, gpu, gpu:N or N (default ${DEFAULT-VALUE}).")
  String device = "cpu";

  @Option(
      names = "--precision",
      description =
          "fp32, or fp16 to also time a float16 forward pass (weights cast, norms float32) and"
              + " report its largest difference from float32 (default ${DEFAULT-VALUE}).")
  String precision = "fp32";

  @Option(
      names = "--batch",
      description = "Samples per training step and forward pass (default ${DEFAULT-VALUE}).")
  int batch = 1;

  @Option(
      names = "--forward-only",
      description =
          "Skip the training step: time the forward pass alone, and peak_rss_mb is inference's.")
  boolean forwardOnly;

  @Option(names = "--seed", description = "Seed of weights and data (default ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(
      names = "--peak-gflops",
      description =
          "The CPU's (or GPU's) peak float32 rate in GFLOP/s; when given, peak_fraction is the"
              + " share of it the forward pass reaches (default: not reported).")
  double peakGflops;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TorchEngine engine = TorchEngine.start(EngineSettings.defaults().withThreads(threads, 0));
    Device dev = engine.device(device);
    ModelBenchmark.Result r =
        ModelBenchmark.run(
            new ModelBenchmark.Settings(
                network.config(deepSupervision),
                size,
                steps,
                dev,
                seed,
                Precision.parse(precision),
                batch,
                !forwardOnly));
    Map<String, Object> out = new LinkedHashMap<>();
    if (!forwardOnly) {
      out.put("train_step_ms", Math.round(r.trainStepMs() * 10) / 10.0);
    }
    out.put("forward_ms", Math.round(r.forwardMs() * 10) / 10.0);
    if (!Double.isNaN(r.forwardFp16Ms())) {
      out.put("forward_fp16_ms", Math.round(r.forwardFp16Ms() * 10) / 10.0);
      out.put("fp16_max_abs_diff", r.fp16MaxAbsDiff());
    }
    double gflop = ModelBenchmark.forwardFlops(network.config(deepSupervision), size) / 1e9;
    double gflops = gflop / (r.forwardMs() / 1000);
    out.put("forward_gflop", Math.round(gflop * 100) / 100.0);
    out.put("forward_gflops", Math.round(gflops * 10) / 10.0);
    if (peakGflops > 0) {
      out.put("peak_fraction", Math.round(gflops / peakGflops * 1000) / 1000.0);
    }
    out.put("width", network.width);
    out.put("size", size);
    out.put("batch", batch);
    out.put("steps", steps);
    out.put("threads", engine.intraOpThreads());
    out.put("device", dev.toString());
    out.put("norm", network.norm.name().toLowerCase(Locale.ROOT));
    out.put("deep_supervision", deepSupervision);
    out.put("parameters", r.parameters());
    out.put("engine", engine.describe());
    peakResidentMb().ifPresent(mb -> out.put("peak_rss_mb", mb));
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(out));
    } else {
      out.forEach((k, v) -> System.out.println(k + ": " + v));
    }
    return 0;
  }

  /** This process's peak resident memory (Linux {@code VmHWM}) in MiB, where the OS tells it. */
  static java.util.OptionalLong peakResidentMb() {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String kb = line.substring("VmHWM:".length()).trim().split("\\s+")[0];
          return java.util.OptionalLong.of(Long.parseLong(kb) / 1024);
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux, or no procfs
    }
    return java.util.OptionalLong.empty();
  }
}
