package org.bratscv.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    assertEquals(List.of("A", "B"), c.ensemble().labeling().merge());
    assertEquals(16, c.ensemble().labeling().tta());
    assertNull(c.metricConventions(), "auto: each case layout's own convention");

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
  void ensembleModelsNamesTheTestEnsembleAndTheKeysTheRunSetsOverrideItsSettings() {
    RunConfig own = RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of());
    assertNull(own.ensemble().models(), "default: the run's own models");
    RunConfig c =
        RunConfig.of(
            ConfigTree.empty()
                .withAll(
                    List.of(
                        "data.train=/data/train",
                        "data.test=/data/test",
                        "output=/out",
                        "pipelines.A.epochs=1",
                        "ensemble.tta=1",
                        "ensemble.models=hdfs://nn/models/model.zip")));
    assertEquals("hdfs://nn/models/model.zip", c.ensemble().models());
    // only tta is the run's; threshold, merge and precision come from the ensemble's source
    assertEquals(java.util.Set.of("tta"), c.ensemble().given());
    assertEquals(
        java.util.Set.of("tta", "threshold", "merge", "brain_mask"),
        RunConfig.load(CONF.resolve("demo.yaml"), List.of()).ensemble().given());
  }

  @Test
  void brainMaskIsOffAsInTheMethodOnInTheDemoAndOnlyTrueOrFalse() {
    assertFalse(
        RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of())
            .ensemble()
            .labeling()
            .brainMask());
    assertTrue(
        RunConfig.load(CONF.resolve("demo.yaml"), List.of()).ensemble().labeling().brainMask());
    RunConfig on =
        RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of("ensemble.brain_mask=true"));
    assertTrue(on.ensemble().labeling().brainMask());
    assertTrue(on.ensemble().given().contains("brain_mask"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RunConfig.load(
                    CONF.resolve("brats2020-cv.yaml"), List.of("ensemble.brain_mask=maybe")));
    assertTrue(e.getMessage().contains("ensemble.brain_mask"), e.getMessage());
  }

  @Test
  void ttaBatchBytesIsReadDefaultsToOneAtATimeAndMayNotBeNegative() {
    List<String> base = List.of("data.train=/data/train", "output=/out", "pipelines.A.epochs=1");
    RunConfig plain = RunConfig.of(ConfigTree.empty().withAll(base));
    assertEquals(0, plain.ensemble().ttaBatchBytes());
    assertEquals(
        0, RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of()).ensemble().ttaBatchBytes());
    List<String> gib = new java.util.ArrayList<>(base);
    gib.add("ensemble.tta_batch_bytes=1073741824");
    assertEquals(
        1L << 30, RunConfig.of(ConfigTree.empty().withAll(gib)).ensemble().ttaBatchBytes());
    List<String> negative = new java.util.ArrayList<>(base);
    negative.add("ensemble.tta_batch_bytes=-1");
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> RunConfig.of(ConfigTree.empty().withAll(negative)));
    assertTrue(e.getMessage().contains("ensemble.tta_batch_bytes"), e.getMessage());
  }

  @Test
  void outputPriorIsOptionalAProbabilityAndPartOfTheModelFingerprintOnlyWhenSet() {
    RunConfig paper = RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of());
    assertFalse(paper.pipelines().get("A").training().hasOutputPrior());
    RunConfig demo = RunConfig.load(CONF.resolve("demo.yaml"), List.of());
    assertEquals(0.01, demo.pipelines().get("A").training().outputPrior(), 0);
    assertEquals(0.01, demo.pipelines().get("B").training().outputPrior(), 0);
    RunConfig set =
        RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of("pipelines.A.output_prior=0.2"));
    assertEquals(0.2, set.pipelines().get("A").training().outputPrior(), 0);
    for (String bad : List.of("0", "1", "1.5")) {
      assertPaperConfigRefuses("pipelines.A.output_prior", bad);
    }
  }

  @Test
  void theDiceIsBatchWiseUnlessAPipelineAsksForItPerSample() {
    RunConfig paper = RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of());
    for (String p : List.of("A", "B")) {
      assertEquals(
          SoftDiceLoss.Reduction.BATCH, paper.pipelines().get(p).training().diceReduction(), p);
    }
    RunConfig demo = RunConfig.load(CONF.resolve("demo.yaml"), List.of());
    for (String p : List.of("A", "B")) {
      assertEquals(
          SoftDiceLoss.Reduction.SAMPLE, demo.pipelines().get(p).training().diceReduction(), p);
    }
    RunConfig set =
        RunConfig.load(
            CONF.resolve("brats2020-cv.yaml"), List.of("pipelines.A.loss_reduction=Sample"));
    assertEquals(
        SoftDiceLoss.Reduction.SAMPLE, set.pipelines().get("A").training().diceReduction());
    assertPaperConfigRefuses("pipelines.A.loss_reduction", "voxel");
  }

  @Test
  void theOutputPriorIsTheBiasUnlessAPipelineFitsItOnTheFirstBatch() {
    RunConfig paper = RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of());
    assertEquals(
        TrainingConfig.PriorFit.BIAS, paper.pipelines().get("A").training().outputPriorFit());
    RunConfig demo = RunConfig.load(CONF.resolve("demo.yaml"), List.of());
    assertEquals(
        TrainingConfig.PriorFit.FIRST_BATCH, demo.pipelines().get("A").training().outputPriorFit());
    assertEquals(
        TrainingConfig.PriorFit.BIAS, demo.pipelines().get("B").training().outputPriorFit());
    RunConfig set =
        RunConfig.load(
            CONF.resolve("brats2020-cv.yaml"),
            List.of("pipelines.B.output_prior=0.02", "pipelines.B.output_prior_fit=First_Batch"));
    assertEquals(
        TrainingConfig.PriorFit.FIRST_BATCH, set.pipelines().get("B").training().outputPriorFit());
    assertPaperConfigRefuses("pipelines.A.output_prior_fit", "mean");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RunConfig.load(
                    CONF.resolve("brats2020-cv.yaml"),
                    List.of("pipelines.A.output_prior_fit=first_batch")));
    assertTrue(
        e.getMessage().contains("pipelines.A.output_prior_fit first_batch needs an output_prior"),
        e.getMessage());
  }

  @Test
  void aWarmUpIsOptionalAndBelowTheEpochs() {
    RunConfig paper = RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of());
    assertEquals(0, paper.pipelines().get("B").training().schedule().warmupEpochs());
    RunConfig set =
        RunConfig.load(
            CONF.resolve("brats2020-cv.yaml"), List.of("pipelines.B.schedule.warmup_epochs=5"));
    assertEquals(
        ScheduleConfig.cosine(400, 0).withWarmup(5),
        set.pipelines().get("B").training().schedule());
    for (String bad : List.of("-1", "400")) {
      assertPaperConfigRefuses("pipelines.B.schedule.warmup_epochs", bad);
    }
  }

  /** The paper's config with {@code key=value} is refused by an error that names the key. */
  private static void assertPaperConfigRefuses(String key, String value) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of(key + "=" + value)));
    assertTrue(e.getMessage().contains(key), e.getMessage());
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
    assertEquals(List.of(), c.ensemble().labeling().merge());
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

  @Test
  void metricsConventionIsReadAndTheOldEmptyHd95KeyIsAClearError() {
    RunConfig met =
        RunConfig.load(
            CONF.resolve("brats2020-cv.yaml"), List.of("metrics.convention=brats2023-met"));
    assertEquals(
        org.bratscv.data.metrics.MetricConventions.parse("brats2023-met"), met.metricConventions());
    ConfigException old =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class,
            () ->
                RunConfig.load(
                    CONF.resolve("brats2020-cv.yaml"), List.of("metrics.empty_hd95=374")));
    assertEquals(
        "metrics.empty_hd95 is no longer read: choose metrics.convention instead (brats2020 scores"
            + " one empty mask 373.13, brats2023[-gli|-ssa|-ped|-men|-met] 374; auto takes each"
            + " case layout's own)",
        old.getMessage());
    ConfigException bad =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class,
            () ->
                RunConfig.load(
                    CONF.resolve("brats2020-cv.yaml"), List.of("metrics.convention=brats2019")));
    org.junit.jupiter.api.Assertions.assertTrue(
        bad.getMessage().startsWith("metrics.convention: unknown metric convention 'brats2019'"),
        bad.getMessage());
  }
}
