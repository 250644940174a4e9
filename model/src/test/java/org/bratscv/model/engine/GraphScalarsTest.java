package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.model.testing.FreedMemoryReuse;
import org.junit.jupiter.api.Test;

class GraphScalarsTest {

  @Test
  void scalarIsAZeroDimensionalArrayLikeItsPartner() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray like = m.ones(new Shape(2, 3), DataType.FLOAT32);
      NDArray s = GraphScalars.of(like, 2.5);
      assertEquals(new Shape(), s.getShape());
      assertEquals(DataType.FLOAT32, s.getDataType());
      assertEquals(like.getDevice(), s.getDevice());
      assertEquals(2.5f, s.getFloat());
      assertTrue(like.getManager().getManagedArrays().contains(s), "closes with its partner");
      assertArrayEquals(
          new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f},
          GraphScalars.mul(like, 2.5).toFloatArray());
    }
  }

  /**
   * The gradient of {@code 3x} is 3 even when the JVM frees and reuses memory between forward and
   * backward. With DJL's {@code x.mul(3)} instead, every gradient here read NaN or garbage (the
   * saved operand pointed into a freed direct buffer).
   */
  @Test
  void gradientThroughTheScalarSurvivesGarbageCollectionBeforeBackward() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      for (int round = 0; round < 5; round++) {
        try (NDManager step = m.newSubManager();
            GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          List<NDArray> xs = new ArrayList<>();
          NDArray total = null;
          for (int i = 0; i < 64; i++) {
            NDArray x = step.ones(new Shape(4));
            x.setRequiresGradient(true);
            xs.add(x);
            NDArray y = GraphScalars.mul(x, 3).sum();
            total = total == null ? y : total.add(y);
          }
          FreedMemoryReuse reuse = FreedMemoryReuse.collectAndOverwrite();
          collector.backward(total);
          for (NDArray x : xs) {
            assertArrayEquals(new float[] {3, 3, 3, 3}, x.getGradient().toFloatArray(), 0f);
          }
          // the refilled blocks must stay taken until the gradients are read
          Reference.reachabilityFence(reuse);
        }
      }
    }
  }
}
