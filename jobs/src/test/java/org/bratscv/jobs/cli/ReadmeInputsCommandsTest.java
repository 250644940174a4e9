package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.DatasetTrees;
import org.bratscv.jobs.stages.TrainStageTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the command lines README's "Inputs beyond BraTS folders" and "A single-GPU workstation"
 * sections show, as written, in a folder that holds what they name: a Decathlon tree, an nnU-Net
 * raw data set, a CSV manifest, a trained run as {@code demo-out/run} and a BraTS archive as {@code
 * demo-out/archive/train}.
 */
class ReadmeInputsCommandsTest {
  private static final String JAR = "java -jar jobs/target/brats-cv.jar ";

  /** The files and folders the README's commands name, relative to where they are run. */
  private static final List<String> RELATIVE =
      List.of(
          "Task01_BrainTumour",
          "nnUNet_raw",
          "cases.csv",
          "demo-out",
          "msd-run",
          "msd-seg",
          "nnunet-seg",
          "csv-seg",
          "gpu-run");

  @TempDir Path dir;

  /**
   * The command lines of the README section {@code title}'s bash block, continuation lines joined
   * ({@link ReadmeBlocks}, as {@link DocumentedCommandsTest} reads them).
   */
  static List<String> commands(String title) throws IOException {
    return ReadmeBlocks.commands("## " + title).stream().map(c -> String.join(" ", c)).toList();
  }

  /**
   * The arguments of a README command line, its relative paths taken as relative to {@code dir}.
   */
  private String[] args(String command) {
    assertTrue(command.startsWith(JAR), command);
    List<String> out = new ArrayList<>();
    for (String a : command.substring(JAR.length()).split(" ")) {
      int eq = a.indexOf('=');
      String key = a.startsWith("data.") || a.startsWith("output=") ? a.substring(0, eq + 1) : "";
      String value = a.substring(key.length());
      String v = value;
      if (value.startsWith("conf/")) {
        value = Path.of("..").resolve(value).toAbsolutePath().normalize().toString();
      } else if (RELATIVE.stream().anyMatch(r -> v.equals(r) || v.startsWith(r + "/"))) {
        value = dir.resolve(value).toString();
      }
      out.add(key + value);
    }
    return out.toArray(String[]::new);
  }

  private void trainARun(Path archive, Path run) throws IOException {
    new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 3), "Training", 1, true)
        .write(archive, 5, id -> {});
    RunConfig c = TrainStageTest.tinyConfig(archive, run, "ensemble.tta=1");
    SparkSession spark =
        SparkSessions.getOrCreate("readme-inputs", Map.of("spark.master", "local[2]"));
    try {
      CrossValidation cv = new CrossValidation(spark, c);
      cv.saveConfig();
      cv.preprocess();
      cv.folds();
      var failed = cv.train().failed();
      assertTrue(failed.isEmpty(), failed.toString());
    } finally {
      spark.stop();
    }
  }

  @Test
  void theInputLayoutAndDeviceCommandsOfTheReadmeRunAsWritten() throws IOException {
    DatasetTrees.decathlon(dir.resolve("Task01_BrainTumour"));
    DatasetTrees.nnUnet(dir.resolve("nnUNet_raw/Dataset137_BraTS2021"));
    DatasetTrees.manifest(dir);
    trainARun(dir.resolve("demo-out/archive/train"), dir.resolve("demo-out/run"));
    // the demo's test archive, which conf/demo.yaml names
    new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 4), "Validation", 1, true)
        .write(dir.resolve("demo-out/archive/test"), 1, id -> {});

    List<String> inputs = commands("Inputs beyond BraTS folders");
    assertEquals(5, inputs.size(), inputs.toString());

    CliRun pre = CliRun.of(args(inputs.get(0)));
    assertEquals(3, pre.exitCode(), pre.out() + pre.err());
    assertTrue(pre.out().contains("5 cases ok, 2 failed"), pre.out());
    assertTrue(pre.out().contains("BRATS_005.nii.gz: holds 3 volume(s)"), pre.out());

    CliRun inspect = CliRun.of(args(inputs.get(1)));
    assertEquals(0, inspect.exitCode(), inspect.err());
    assertTrue(inspect.out().contains("24 x 24 x 16 x 4"), inspect.out());

    CliRun msd = CliRun.of(args(inputs.get(2)));
    assertEquals(3, msd.exitCode(), msd.out() + msd.err());
    Path msdOut = dir.resolve("msd-seg/labelmaps");
    assertTrue(
        Set.of(0, 1, 2, 3)
            .containsAll(DatasetTrees.labelValues(msdOut.resolve("BRATS_485.nii.gz"))));
    assertTrue(
        Files.readString(msdOut.resolve("labels.ctbl")).contains("\n1 edema 255 255 0 255\n"));

    CliRun nnunet = CliRun.of(args(inputs.get(3)));
    assertEquals(0, nnunet.exitCode(), nnunet.out() + nnunet.err());
    Path nnOut = dir.resolve("nnunet-seg/labelmaps");
    for (String id : List.of("c1", "c2", "c3", "c4")) {
      assertTrue(
          Set.of(0, 1, 2, 3).containsAll(DatasetTrees.labelValues(nnOut.resolve(id + ".nii.gz"))));
    }
    assertTrue(Files.readString(nnOut.resolve("labels.itksnap.txt")).contains("\"edema\""));

    CliRun csv = CliRun.of(args(inputs.get(4)));
    assertEquals(0, csv.exitCode(), csv.out() + csv.err());
    Path csvOut = dir.resolve("csv-seg/labelmaps");
    for (String id : List.of("case001", "case002", "case003")) {
      assertTrue(
          Set.of(0, 1, 2, 4).containsAll(DatasetTrees.labelValues(csvOut.resolve(id + ".nii.gz"))));
    }
    assertTrue(Files.readString(csvOut.resolve("labels.ctbl")).contains("\n4 ET 255 0 0 255\n"));

    List<String> device = commands("A single-GPU workstation");
    assertEquals(1, device.size(), device.toString());
    // this machine has no GPU: the run stops before any work, saying what is missing
    CliRun gpu = CliRun.of(args(device.get(0)));
    assertEquals(2, gpu.exitCode(), gpu.out() + gpu.err());
    assertTrue(
        gpu.err()
            .contains(
                "brats-cv cv: error: compute.device gpu: device gpu(0) requested but the PyTorch"
                    + " engine sees 0 GPU(s)"),
        gpu.err());
    assertTrue(!Files.exists(dir.resolve("gpu-run/preprocess")), "nothing was preprocessed");
  }
}
