package org.bratscv.model.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Map;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.optim.Autograd;
import org.junit.jupiter.api.Test;

/**
 * Inference releases its native memory as it goes, even on a thread with libtorch's grad mode on (a
 * Spark task thread's default) and weights that require gradients (trained ones): the running sum
 * of the 16 TTA passes carries no autograd graph (which would keep every pass's activations alive
 * until the case ends), and no array outlives its pass.
 */
class EnsembleNativeMemoryTest {
  private static final Shape INPUT = new Shape(1, 4, 8, 8, 16);

  private static Ensemble tinyEnsemble(NDManager m) {
    Block net = EquiUnet.builder().optWidth(2).build().initialize(m, 3L);
    for (Pair<String, Parameter> p : net.getParameters()) {
      assertTrue(p.getValue().getArray().hasGradient(), "a trained weight needs gradients");
    }
    return Ensemble.builder()
        .addMember("A-fold0", net, "A")
        .optAugmentations(TestTimeAugmentation.all())
        .build();
  }

  @Test
  void theAveragedProbabilitiesCarryNoAutogradGraphEvenWhereGradModeIsOn() {
    try (NDManager m = NDManager.newBaseManager();
        Autograd on = Autograd.recording()) {
      Ensemble e = tinyEnsemble(m);
      NDArray x = m.randomNormal(INPUT);
      NDArray mean = e.predict(m, Map.of("A", x));
      assertFalse(mean.hasGradient(), "the sum of 16 passes holds their autograd graphs");
      assertEquals(new Shape(1, 3, 8, 8, 16), mean.getShape());
    }
  }

  @Test
  void repeatedPredictionsLeaveNoArraysBehindInTheManager() {
    try (NDManager m = NDManager.newBaseManager();
        Autograd on = Autograd.recording()) {
      Ensemble e = tinyEnsemble(m);
      NDArray x = m.randomNormal(INPUT);
      int baseline = m.getManagedArrays().size();
      for (int i = 0; i < 3; i++) {
        e.predict(m, Map.of("A", x)).close();
        assertEquals(baseline, m.getManagedArrays().size(), "arrays left after case " + i);
      }
    }
  }
}
