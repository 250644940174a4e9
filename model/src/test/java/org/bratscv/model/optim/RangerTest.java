package org.bratscv.model.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RangerTest {

  private static final double LR = 0.01;
  private static final double[] P0 = {1.0, -2.0, 0.5};

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** The gradient fed at update t (1-based): varies in sign and size from step to step. */
  private static double[] grad(int t) {
    return new double[] {0.5 - 0.1 * t, -1.0 + 0.3 * t, 0.2 * (t % 3) - 0.1};
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /**
   * Ranger by hand in double precision, written out as the reference ranger.py does it, with the
   * defaults alpha 0.5, k 6, threshold 5, betas 0.95/0.999, eps 1e-5. Returns p after n updates.
   */
  private static double[] rangerByHand(int n) {
    double b1 = 0.95;
    double b2 = 0.999;
    double eps = 1e-5;
    double[] p = P0.clone();
    double[] slow = P0.clone();
    double[] m = new double[3];
    double[] v = new double[3];
    for (int t = 1; t <= n; t++) {
      double[] g = toDouble(toFloat(grad(t)));
      double b2t = Math.pow(b2, t);
      double nMax = 2 / (1 - b2) - 1;
      double nSma = nMax - 2 * t * b2t / (1 - b2t);
      for (int i = 0; i < 3; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        if (nSma >= 5) {
          double stepSize =
              Math.sqrt((1 - b2t) * (nSma - 4) / (nMax - 4) * (nSma - 2) / nSma * nMax / (nMax - 2))
                  / (1 - Math.pow(b1, t));
          p[i] -= LR * stepSize * m[i] / (Math.sqrt(v[i]) + eps);
        } else {
          p[i] -= LR * m[i] / (1 - Math.pow(b1, t));
        }
      }
      if (t % 6 == 0) {
        for (int i = 0; i < 3; i++) {
          slow[i] += 0.5 * (p[i] - slow[i]);
          p[i] = slow[i];
        }
      }
    }
    return p;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private double[] runRanger(int n) {
    try (Ranger ranger = Ranger.builder().optLearningRate(LR).build()) {
      NDArray w = manager.create(toFloat(P0));
      for (int t = 1; t <= n; t++) {
        ranger.update("w", w, manager.create(toFloat(grad(t))));
      }
      return toDouble(w.toFloatArray());
    }
  }

  @Test
  void firstStepIsPlainSgdBecauseTheMomentIsBiasCorrected() {
    // N_sma(1) = 1 < 5: p -= lr * (0.05 g) / (1 - 0.95) = lr * g, g = (0.4, -0.7, 0.1)
    double[] p = runRanger(1);
    assertArrayEquals(new double[] {1.0 - 0.004, -2.0 + 0.007, 0.5 - 0.001}, p, 1e-7);
  }

  @Test
  void fiveUnrectifiedStepsMatchTheHandComputation() {
    assertArrayEquals(rangerByHand(5), runRanger(5), 1e-6);
  }

  @Test
  void sixthStepIsRectifiedAndSyncsTheLookaheadSlowWeights() {
    double[] p6 = runRanger(6);
    assertArrayEquals(rangerByHand(6), p6, 1e-6);
    // after the sync the weights are halfway between the start and the fast weights
    double[] p5 = rangerByHand(5);
    assertTrue(Math.abs(p6[0] - P0[0]) < Math.abs(p5[0] - P0[0]));
  }

  @Test
  void severalStepsAcrossTwoLookaheadSyncsMatch() {
    assertArrayEquals(rangerByHand(13), runRanger(13), 2e-6);
  }

  @Test
  void matchesTorchRAdamWrappedInLookahead() {
    // printed by bench/optim_reference.py: torch.optim.RAdam (betas 0.95/0.999, eps 1e-5) with a
    // Lookahead (alpha 0.5, k 6) around it, in float64, on the same gradients
    assertArrayEquals(
        new double[] {0.9959999999403953, -1.9930000001192092, 0.49899999998509886},
        runRanger(1),
        1e-7);
    assertArrayEquals(
        new double[] {0.9852135394237086, -1.9806406194080082, 0.4936129211495555},
        runRanger(5),
        1e-6);
    assertArrayEquals(
        new double[] {0.9925300336864571, -1.9903440775886319, 0.49674144492533956},
        runRanger(6),
        1e-6);
    assertArrayEquals(
        new double[] {0.9932360888142158, -1.9917917171886659, 0.49566140415022003},
        runRanger(13),
        2e-6);
  }

  @Test
  void rectificationStartsAtUpdateSix() {
    Ranger ranger = Ranger.builder().build();
    assertTrue(ranger.smaLength(5) < 5);
    assertTrue(ranger.smaLength(6) >= 5);
    assertEquals(5.994163751655833, ranger.smaLength(6), 1e-9);
  }

  @Test
  void stateHoldsMomentsStepAndSlowWeightsAndRestoresExactly() {
    try (Ranger a = Ranger.builder().optLearningRate(LR).build();
        Ranger b = Ranger.builder().optLearningRate(LR).build()) {
      NDArray wa = manager.create(toFloat(P0));
      for (int t = 1; t <= 4; t++) {
        a.update("w", wa, manager.create(toFloat(grad(t))));
      }
      ParameterState s = a.states().get("w");
      assertEquals(4, s.step());
      assertEquals(java.util.List.of("exp_avg", "exp_avg_sq", "slow_buffer"), a.bufferNames());
      assertArrayEquals(toFloat(P0), s.buffer("slow_buffer").toFloatArray(), 0f);

      NDArray wb = manager.create(wa.toFloatArray());
      b.restore(
          "w",
          wb,
          s.step(),
          Map.of(
              "exp_avg", s.buffer("exp_avg").toFloatArray(),
              "exp_avg_sq", s.buffer("exp_avg_sq").toFloatArray(),
              "slow_buffer", s.buffer("slow_buffer").toFloatArray()));
      for (int t = 5; t <= 8; t++) {
        a.update("w", wa, manager.create(toFloat(grad(t))));
        b.update("w", wb, manager.create(toFloat(grad(t))));
      }
      assertArrayEquals(wa.toFloatArray(), wb.toFloatArray(), 0f);
      assertArrayEquals(toFloat(rangerByHand(8)), wa.toFloatArray(), 2e-6f);
    }
  }

  @Test
  void updatesLeaveNoTemporariesInTheWeightsManager() {
    try (Ranger ranger = Ranger.builder().optLearningRate(LR).build();
        NDManager weights = manager.newSubManager()) {
      NDArray w = weights.create(toFloat(P0));
      ranger.update("w", w, manager.create(toFloat(grad(1))));
      int after1 = weights.getManagedArrays().size();
      for (int t = 2; t <= 12; t++) {
        ranger.update("w", w, manager.create(toFloat(grad(t))));
      }
      assertEquals(after1, weights.getManagedArrays().size());
    }
  }
}
