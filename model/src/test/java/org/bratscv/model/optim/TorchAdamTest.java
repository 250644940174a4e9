package org.bratscv.model.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TorchAdamTest {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private static float[] grad(int t) {
    return new float[] {0.5f - 0.1f * t, 1e-3f * t, -2f};
  }

  /** torch.optim.Adam by hand in double: eps is added after the bias-corrected sqrt(v). */
  private static double[] adamByHand(double lr, double eps, double[] p0, int n) {
    double b1 = 0.9;
    double b2 = 0.999;
    double[] p = p0.clone();
    double[] m = new double[p.length];
    double[] v = new double[p.length];
    for (int t = 1; t <= n; t++) {
      float[] g = grad(t);
      for (int i = 0; i < p.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
        p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
      }
    }
    return p;
  }

  private double[] run(double lr, double eps, double[] p0, int n) {
    float[] start = new float[p0.length];
    for (int i = 0; i < p0.length; i++) {
      start[i] = (float) p0[i];
    }
    try (TorchAdam adam = TorchAdam.builder().optLearningRate(lr).optEpsilon(eps).build()) {
      NDArray w = manager.create(start);
      for (int t = 1; t <= n; t++) {
        adam.update("w", w, manager.create(grad(t)));
      }
      float[] f = w.toFloatArray();
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        d[i] = f[i];
      }
      return d;
    }
  }

  @Test
  void firstStepMovesEachWeightByAboutTheLearningRate() {
    // t = 1: m_hat = g, v_hat = g^2, so p -= lr * g / (|g| + eps)
    double[] p = run(0.1, 1e-8, new double[] {1, 1, 1}, 1);
    double[] expected = {
      1 - 0.1 * 0.4 / (0.4 + 1e-8), 1 - 0.1 * 0.001 / (0.001 + 1e-8), 1 + 0.1 * 2 / (2 + 1e-8)
    };
    assertArrayEquals(expected, p, 1e-7);
  }

  @Test
  void largeEpsIsAddedAfterBiasCorrectionAsInTorch() {
    // pipeline B's eps 1e-4 against a gradient of 1e-3: DJL's Adam would give a different step
    double[] p = run(1e-2, 1e-4, new double[] {0, 0, 0}, 1);
    assertArrayEquals(
        new double[] {
          -1e-2 * 0.4 / (0.4 + 1e-4), -1e-2 * 1e-3 / (1e-3 + 1e-4), 1e-2 * 2 / (2 + 1e-4)
        },
        p,
        1e-8);
  }

  @Test
  void tenStepsMatchTheHandComputation() {
    double[] p0 = {0.3, -0.7, 1.5};
    assertArrayEquals(adamByHand(1e-3, 1e-8, p0, 10), run(1e-3, 1e-8, p0, 10), 1e-6);
    assertArrayEquals(adamByHand(1e-3, 1e-4, p0, 10), run(1e-3, 1e-4, p0, 10), 1e-6);
  }

  @Test
  void matchesTorchOptimAdam() {
    // printed by bench/optim_reference.py: torch.optim.Adam in float64 on the same gradients
    double[] p0 = {0.3, -0.7, 1.5};
    assertArrayEquals(
        new double[] {0.2954433460585522, -0.7098458421961735, 1.5099999999499993},
        run(1e-3, 1e-8, p0, 10),
        1e-6);
    assertArrayEquals(
        new double[] {0.2954448683604773, -0.7094938808978972, 1.5099995000249997},
        run(1e-3, 1e-4, p0, 10),
        1e-6);
  }
}
