package org.bratscv.jobs.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;
import org.bratscv.model.infer.Ensemble;
import org.bratscv.model.infer.Precision;
import org.bratscv.model.infer.TestTimeAugmentation;
import org.bratscv.model.interop.ReferenceStateDict;
import org.bratscv.model.interop.SafeTensors;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code brats-cv model run}: one forward pass of a network given as a reference-named safetensors
 * file on a 4-D input, the sigmoid outputs written as a 4-D float32 NIfTI. The input is used as it
 * is (no cropping, normalisation or test-time augmentation): the proof that brats-cv computes what
 * the reference PyTorch network computes ({@code bench/reference_equality.py}).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "One forward pass (CPU, float32, inference mode) of EquiUnet or Att_EquiUnet whose weights"
          + " are a .safetensors file with the reference implementation's state-dict names.",
      "Input: a 4-D NIfTI (x, y, z, channel) of the 4 input channels, as nibabel writes an"
          + " (x, y, z, 4) array; x, y, z multiples of 8, taken as they are. Output: the sigmoid"
          + " of the main output, (x, y, z, 3) float32 NIfTI on the input's grid (deep-supervision"
          + " heads are a training aid and not written)."
    })
public final class ModelRunCommand implements Callable<Integer> {
  @Option(names = "--weights", required = true, description = "The .safetensors file.")
  Path weights;

  @Option(
      names = "--arch",
      description =
          "EquiUnet or Att_EquiUnet. Without it the network is the one the file's metadata names"
              + " (brats-cv exports write it).")
  String arch;

  @Option(names = "--width", defaultValue = "48", description = "Width (default ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = "--norm",
      defaultValue = "group",
      description = "group or instance (default ${DEFAULT-VALUE}).")
  String norm;

  @Option(
      names = "--deep-supervision",
      description = "The weights include the four deep-supervision heads.")
  boolean deepSupervision;

  @Option(names = "--input", required = true, description = "4-D NIfTI input.")
  Path input;

  @Option(names = "--output", required = true, description = "4-D float32 NIfTI output.")
  Path output;

  @Override
  public Integer call() throws Exception {
    SafeTensors.Contents file;
    try (InputStream in = Files.newInputStream(weights)) {
      file = SafeTensors.read(in, weights.toString());
    }
    EquiUnet.Config config =
        arch == null
            ? ReferenceStateDict.config(file.metadata(), weights.toString())
            : ReferenceStateDict.config(arch, width, Norm.parse(norm), deepSupervision);
    NiftiReader reader = NiftiReader.withDefaults();
    NiftiHeader header = reader.readHeader(input);
    MultiChannelVolume image = reader.readVolumes(input);
    if (image.channelCount() != config.inChannels()) {
      throw new IllegalArgumentException(
          input
              + ": holds "
              + image.channelCount()
              + " volumes, the network reads "
              + config.inChannels()
              + " channels");
    }
    TorchEngine.start(EngineSettings.defaults());
    MultiChannelVolume probabilities;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      EquiUnet net = ReferenceStateDict.read(config, file, manager, weights.toString());
      Ensemble ensemble =
          Ensemble.builder()
              .addMember("net", net, "input")
              .optAugmentations(TestTimeAugmentation.none())
              .optDevice(Device.cpu())
              .optPrecision(Precision.FP32)
              .build();
      probabilities = ensemble.predict(Map.of("input", image));
    }
    Path parent = output.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".model-run-", ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        boolean gzip = output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        NiftiWriter.withDefaults()
            .write(out, gzip, probabilities, header, NiftiDataType.FLOAT32, "sigmoid ET TC WT");
      }
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    System.out.printf(
        Locale.ROOT,
        "model run: %s width %d, %s norm, deep supervision %s; %s -> %s%n",
        ReferenceStateDict.architecture(config),
        config.width(),
        config.norm().name().toLowerCase(Locale.ROOT),
        config.deepSupervision() ? "on" : "off",
        input,
        output);
    return 0;
  }
}
