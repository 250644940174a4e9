package org.bratscv.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.model.loss.SoftDiceLoss;
import org.bratscv.model.net.Norm;
import org.bratscv.model.train.OptimizerConfig;
import org.bratscv.model.train.ScheduleConfig;
import org.bratscv.model.train.TrainingConfig;
import org.junit.jupiter.api.Test;

class RunConfigTest {
  private static final Path CONF = Path.of("..", "conf");

  @Test
  void paperConfigurationHoldsThePapersSettings() {
    RunConfig c = RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of());
    assertEquals(5, c.folds());
    assertEquals(List.of("A", "B"), List.copyOf(c.pipelines().keySet()));
    assertEquals(List.of("A", "B"), c.ensemble().merge());
    assertEquals(16, c.ensemble().tta());
    assertEquals(373.13, c.emptyHd95(), 0);

    PipelineSettings a = c.pipelines().get("A");
    assertEquals(Normalization.A, a.normalization());
    assertEquals(48, a.network().width());
    assertEquals(Norm.GROUP, a.network().norm());
    TrainingConfig ta = a.training();
    assertEquals(TrainingConfig.pipelineA().withSeed(c.seed()), ta);

    PipelineSettings b = c.pipelines().get("B");
    assertEquals(Norm.INSTANCE, b.network().norm());
    TrainingConfig tb = b.training();
    assertEquals(TrainingConfig.pipelineB().withSeed(c.seed()), tb);
  }

  @Test
  void overridesReachThePipelinesAndUnknownKeysAreRefused() {
    RunConfig c =
        RunConfig.load(
            CONF.resolve("brats2020-cv.yaml"),
            List.of(
                "pipelines.A.epochs=10",
                "pipelines.A.swa.enabled=false",
                "pipelines.A.final_weights=last",
                "pipelines.A.network.width=8",
                "pipelines.B.optimizer.lr=3e-4",
                "ensemble.merge=[]",
                "data.test="));
    TrainingConfig a = c.pipelines().get("A").training();
    assertEquals(10, a.epochs());
    assertNull(a.swa());
    assertEquals(ScheduleConfig.constantThenCosine(5, 10, 0), a.schedule());
    assertEquals(8, c.pipelines().get("A").network().width());
    assertEquals(3e-4, c.pipelines().get("B").training().optimizer().learningRate(), 0);
    assertEquals(OptimizerConfig.Kind.ADAM, c.pipelines().get("B").training().optimizer().kind());
    assertEquals(SoftDiceLoss.Denominator.SUMS, c.pipelines().get("B").training().dice());
    assertEquals(List.of(), c.ensemble().merge());
    assertNull(c.testArchive());

    ConfigException typo =
        assertThrows(
            ConfigException.class,
            () ->
                RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of("pipelines.A.epoch=3")));
    assertTrue(typo.getMessage().contains("pipelines.A.epoch"), typo.getMessage());
    ConfigException swa =
        assertThrows(
            ConfigException.class,
            () ->
                RunConfig.load(
                    CONF.resolve("brats2020-cv.yaml"), List.of("pipelines.A.swa.enabled=false")));
    assertTrue(swa.getMessage().contains("swa_average"), swa.getMessage());
  }
}
