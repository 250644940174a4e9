package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.spark.SparkSessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compute.device} in local mode, on this GPU-less machine: {@code cpu} trains on the CPU and
 * the models manifest says so; asking for a GPU fails each training task with a message that says
 * what is missing; nonsense is a config error.
 */
class DeviceSettingTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.getOrCreate("device-test", Map.of("spark.master", "local[2]"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static RunConfig config(RunConfig tiny, String... more) {
    ConfigTree t = ConfigTree.parse(tiny.resolvedYaml(), Path.of("."));
    return RunConfig.of(t.withAll(List.of(more)));
  }

  @Test
  void aGpuAskedForOnAMachineWithoutOneFailsEveryTrainingTaskClearly() throws IOException {
    Path archive = dir.resolve("archive");
    new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 3), "Training", 1, true)
        .write(archive, 4, id -> {});
    RunConfig tiny = TrainStageTest.tinyConfig(archive, dir.resolve("run"));
    RunConfig gpu = config(tiny, "compute.device=gpu");
    assertEquals("gpu", gpu.compute().device());
    assertEquals("auto", tiny.compute().device());
    CrossValidation cv = new CrossValidation(spark, gpu);
    cv.saveConfig();
    cv.preprocess();
    cv.folds();

    TrainStage.Result r = cv.train();

    assertEquals(4, r.failed().size());
    for (ModelRow row : r.failed()) {
      assertTrue(
          row.getReason()
              .contains(
                  "device gpu(0) requested but the PyTorch engine sees 0 GPU(s); on a GPU machine"
                      + " point PYTORCH_LIBRARY_PATH"),
          row.getReason());
    }
  }

  @Test
  void anUnknownDeviceIsAConfigErrorNamingTheKey() {
    RunConfig tiny = TrainStageTest.tinyConfig(dir.resolve("a"), dir.resolve("run"));
    ConfigException e =
        assertThrows(ConfigException.class, () -> config(tiny, "compute.device=tpu:0"));
    assertEquals(
        "compute.device: device 'tpu:0' is not one of auto, cpu, gpu, gpu:N", e.getMessage());
    assertEquals("gpu:0", config(tiny, "compute.device=GPU:0").compute().device());
    assertEquals("cpu", config(tiny, "compute.device=cpu").compute().device());
  }
}
