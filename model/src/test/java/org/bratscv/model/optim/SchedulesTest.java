package org.bratscv.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SchedulesTest {

  @Test
  void pipelineAIsConstantUntilEpoch100ThenCosineToZeroAtEpoch200() {
    ConstantThenCosine s = new ConstantThenCosine(1e-4, 0, 100, 100);
    assertEquals(1e-4, s.learningRate(0), 0);
    assertEquals(1e-4, s.learningRate(99), 0);
    assertEquals(1e-4, s.learningRate(100), 0);
    assertEquals(5e-5, s.learningRate(150), 1e-18);
    assertEquals(1e-4 * (1 + Math.cos(0.99 * Math.PI)) / 2, s.learningRate(199), 1e-18);
    assertEquals(2.4671981713419e-8, s.learningRate(199), 1e-19);
    assertEquals(0, s.learningRate(200), 1e-20);
    assertEquals(0, s.learningRate(250), 1e-20);
  }

  @Test
  void warmUpScalesTheFirstEpochsLikeTorchsLinearLrChainedWithTheSchedule() {
    // torch 1.13: ChainedScheduler([LinearLR(opt, start_factor=0.25, total_iters=3),
    // CosineAnnealingLR(opt, T_max=30)]) on Adam(lr=1e-2), lr before each epoch's steps
    LearningRateSchedule s = new CosineAnnealing(1e-2, 0, 30).withWarmup(3);
    double[] torch = {
      0.0025,
      0.0049863047384206835,
      0.007418053502751772,
      0.009755282581475769,
      0.009567727288213004
    };
    for (int e = 0; e < torch.length; e++) {
      assertEquals(torch[e], s.learningRate(e), 1e-17, "epoch " + e);
    }
    LearningRateSchedule constant = LearningRateSchedule.constant(0.02).withWarmup(1);
    assertEquals(0.01, constant.learningRate(0), 0);
    assertEquals(0.02, constant.learningRate(1), 0);
    LearningRateSchedule none = new CosineAnnealing(1e-2, 0, 30).withWarmup(0);
    assertEquals(1e-2, none.learningRate(0), 0);
    assertThrows(
        IllegalArgumentException.class, () -> LearningRateSchedule.constant(1).withWarmup(-1));
  }

  @Test
  void cosineFloorIsConfigurable() {
    ConstantThenCosine s = new ConstantThenCosine(1e-4, 1e-6, 100, 100);
    assertEquals(1e-6 + (1e-4 - 1e-6) / 2, s.learningRate(150), 1e-18);
    assertEquals(1e-6, s.learningRate(200), 1e-18);
  }

  @Test
  void pipelineBAnnealsOverAllEpochs() {
    CosineAnnealing s = new CosineAnnealing(1e-4, 0, 400);
    assertEquals(1e-4, s.learningRate(0), 0);
    assertEquals(1e-4 * (1 + Math.sqrt(0.5)) / 2, s.learningRate(100), 1e-18);
    assertEquals(5e-5, s.learningRate(200), 1e-18);
    assertEquals(0, s.learningRate(400), 1e-20);
  }

  @Test
  void swaCyclesRestartAtTheBaseRateEvery30Epochs() {
    CosineCycles s = new CosineCycles(5e-5, 0, 30, 30);
    assertEquals(5e-5, s.learningRate(0), 0);
    assertEquals(2.5e-5, s.learningRate(15), 1e-18);
    assertEquals(5e-5 * (1 + Math.cos(29 * Math.PI / 30)) / 2, s.learningRate(29), 1e-18);
    assertEquals(5e-5, s.learningRate(30), 0);
    assertEquals(2.5e-5, s.learningRate(45), 1e-18);
    assertEquals(4, s.cycle(149));
    assertEquals(29, s.epochInCycle(149));
  }

  @Test
  void referencePeriodOf40NeverReachesZeroWithinACycle() {
    CosineCycles s = new CosineCycles(5e-5, 0, 30, 40);
    assertEquals(5e-5 * (1 + Math.cos(29 * Math.PI / 40)) / 2, s.learningRate(29), 1e-18);
  }

  @Test
  void badSettingsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new CosineAnnealing(1e-4, 2e-4, 10));
    assertThrows(IllegalArgumentException.class, () -> new ConstantThenCosine(1e-4, 0, 10, 0));
    assertThrows(IllegalArgumentException.class, () -> new CosineCycles(1e-4, 0, 0, 30));
  }
}
