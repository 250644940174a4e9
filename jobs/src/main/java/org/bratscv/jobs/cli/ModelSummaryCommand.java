package org.bratscv.jobs.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;
import org.bratscv.model.net.EquiUnet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code brats-cv model summary}: the EquiUnet layer table (name, input and output shape for a cube
 * input of {@code --size}, parameters) and the total parameter count.
 */
@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description = "Print EquiUnet's layers, their output shapes and the parameter count.")
public final class ModelSummaryCommand implements Callable<Integer> {
  @Mixin NetworkOptions network = new NetworkOptions();

  @Option(names = "--deep-supervision", description = "Include the four deep-supervision heads.")
  boolean deepSupervision;

  @Option(
      names = "--size",
      description = "Edge of the input cube, multiple of 8 (default ${DEFAULT-VALUE}).")
  int size = 128;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TorchEngine.start(EngineSettings.defaults());
    EquiUnet.Config config = network.config(deepSupervision);
    EquiUnet net = EquiUnet.builder().fromConfig(config).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      net.initialize(manager, DataType.FLOAT32, new Shape(1, config.inChannels(), 8, 8, 8));
      List<EquiUnet.Layer> layers = net.layers(new Shape(1, config.inChannels(), size, size, size));
      long total = net.parameterCount();
      if (json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("width", config.width());
        out.put("norm", config.norm().name().toLowerCase(Locale.ROOT));
        out.put("deep_supervision", config.deepSupervision());
        out.put("attention", config.attention());
        out.put("size", size);
        out.put("parameters", total);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EquiUnet.Layer l : layers) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("name", l.name());
          row.put("input", l.input().getShape());
          row.put("output", l.output().getShape());
          row.put("parameters", l.parameterCount());
          rows.add(row);
        }
        out.put("layers", rows);
        System.out.println(new ObjectMapper().writeValueAsString(out));
      } else {
        System.out.printf(
            Locale.ROOT,
            "EquiUnet width %d, %s norm, deep supervision %s, attention %s, input %d^3%n",
            config.width(),
            config.norm().name().toLowerCase(Locale.ROOT),
            config.deepSupervision() ? "on" : "off",
            config.attention() ? "on" : "off",
            size);
        System.out.printf(
            Locale.ROOT, "%-12s %-26s %-26s %12s%n", "layer", "input", "output", "parameters");
        for (EquiUnet.Layer l : layers) {
          System.out.printf(
              Locale.ROOT,
              "%-12s %-26s %-26s %,12d%n",
              l.name(),
              l.input(),
              l.output(),
              l.parameterCount());
        }
        System.out.printf(Locale.ROOT, "parameters: %,d%n", total);
      }
    }
    return 0;
  }
}
