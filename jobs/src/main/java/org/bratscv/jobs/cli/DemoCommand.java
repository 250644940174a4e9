package org.bratscv.jobs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.stages.CrossValidation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code brats-cv demo}: writes a synthetic training archive and a separate synthetic test archive,
 * then runs the whole cross-validation of {@code conf/demo.yaml} on Spark {@code local[2]} with the
 * CPU build of libtorch, and prints the results table.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the method end to end on synthetic data: 5-fold cross-validation of pipelines A and"
          + " B, out-of-fold scores of the training cases, and the merged 80-way ensemble"
          + " (5 folds x 16 TTA per pipeline) on a separate test archive; prints the summary.",
      "Uses conf/demo.yaml (inside the jar); --set overrides any key. Holds"
          + " <out>/brats-cv.lock while it runs."
    })
public final class DemoCommand implements Callable<Integer> {
  static final String CONFIG = "/org/bratscv/jobs/conf/demo.yaml";

  @Option(
      names = "--out",
      defaultValue = "demo-out",
      description = "Folder for everything, default ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--cases",
      defaultValue = "15",
      description = "Training cases, default ${DEFAULT-VALUE}.")
  int cases;

  @Option(
      names = "--test-cases",
      defaultValue = "4",
      description = "Test cases, default ${DEFAULT-VALUE}.")
  int testCases;

  @Option(
      names = "--size",
      defaultValue = "48x48x32",
      description = "Volume size, default ${DEFAULT-VALUE}.")
  String size;

  /**
   * The demo's volumes are 5 times coarser than BraTS (voxels of about 5 mm), and a phantom's
   * tumour shrinks with its brain: at scale 1 the enhancing tumour of the 4 test cases has 8 to 59
   * voxels and the core is little more than its rim, where one voxel of boundary is half the Dice.
   * At 1.6 it has 27 to 249 (whole tumours of 500 to 3200), still smaller than at BraTS resolution.
   */
  static final String DEFAULT_LESION_SCALE = "1.6";

  @Option(
      names = "--lesion-scale",
      defaultValue = DEFAULT_LESION_SCALE,
      description =
          "Tumour size relative to the brain (1: the proportions of BraTS), default"
              + " ${DEFAULT-VALUE}: the demo's voxels are 5 times coarser than BraTS's, and"
              + " at 1 its smallest enhancing tumours are a few voxels.")
  double lesionScale;

  @Option(
      names = "--seed",
      defaultValue = "2020",
      description = "Seed of the synthetic cases, default ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--set", description = "Override one configuration key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @picocli.CommandLine.Mixin DeviceOption device;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    Dims dims = Dims.parse(size);
    // the lock covers the archives too; --out is a local folder, no Spark settings needed
    try (RunLock lock =
        RunLock.acquire(
            new Configuration(),
            new OutputRoot(out.toAbsolutePath().toString()),
            Runs.commandLine(spec))) {
      int code = run(dims);
      System.out.printf("demo finished in %.0f s%n", (System.nanoTime() - t0) / 1e9);
      return code;
    }
  }

  private int run(Dims dims) throws Exception {
    Path train = out.resolve("archive").resolve("train");
    Path test = out.resolve("archive").resolve("test");
    PhantomGenerator gen = new PhantomGenerator(dims, seed, lesionScale);
    System.err.printf(
        "demo: writing %d training and %d test cases of %s to %s%n",
        cases, testCases, dims, out.resolve("archive"));
    new PhantomArchive(gen, "Training", 1, true).write(train, cases, id -> {});
    // test cases come from the same generator but other indices: cases never trained on
    new PhantomArchive(gen, "Validation", 1000, true).write(test, testCases, id -> {});

    List<String> settings = new ArrayList<>();
    settings.add("data.train=" + train.toAbsolutePath());
    settings.add("data.test=" + test.toAbsolutePath());
    settings.add("output=" + out.resolve("run").toAbsolutePath());
    settings.addAll(overrides);
    settings.addAll(device.overrides());
    RunConfig c = RunConfig.of(ConfigTree.parse(demoYaml(), Path.of(".")).withAll(settings));
    SparkSession spark = Runs.spark(c, "demo");
    int code;
    try {
      CrossValidation.Outcome o = Runs.crossValidation(spark, c).all();
      code = Runs.report(o, c.output());
      Runs.writeReport(spark, c.output());
    } finally {
      spark.stop();
    }
    return code;
  }

  static String demoYaml() throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream(CONFIG)) {
      if (in == null) {
        throw new IOException("demo configuration " + CONFIG + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
