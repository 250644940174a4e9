package org.bratscv.model.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Why brats-cv offers no float16 (mixed-precision) training: in DJL 0.36 a dtype cast is not
 * recorded by autograd. Mixed precision needs a float16 copy of each float32 master weight whose
 * gradient flows back to the master, and float32 loss and norm statistics computed from float16
 * activations, all through casts. If a later DJL records the cast, this test fails and mixed
 * precision (with {@link org.bratscv.model.optim.DynamicLossScale}) can be wired.
 */
class HalfPrecisionTrainingTest {
  @Test
  void aCastToFloat16CarriesNoGradientBackToItsFloat32Source() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray master = m.create(new float[] {1f, 2f, 3f});
      master.setRequiresGradient(true);
      // the same graph without a cast: the gradient arrives
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        gc.backward(master.mul(master).sum());
      }
      assertEquals(2f * 3f, master.getGradient().get(2).getFloat(), 0f);
      EngineException e =
          assertThrows(
              EngineException.class,
              () -> {
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                  NDArray half = master.toType(DataType.FLOAT16, false);
                  assertFalse(half.hasGradient());
                  gc.backward(half.mul(half).sum().toType(DataType.FLOAT32, false));
                }
              });
      assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
      assertEquals(new Shape(3), master.getShape());
    }
  }
}
