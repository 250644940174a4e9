package org.bratscv.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.nn.core.Linear;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WeightAverageTest {

  private NDManager manager;
  private ParameterList params;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
    Linear linear = Linear.builder().setUnits(2).build();
    linear.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
    params = linear.getParameters(); // weight (2, 2), bias (2)
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private void setWeights(float w, float b) {
    params.get("weight").getArray().set(new float[] {w, w + 1, w + 2, w + 3});
    params.get("bias").getArray().set(new float[] {b, -b});
  }

  @Test
  void averageOfThreeSnapshotsIsTheirArithmeticMean() {
    try (WeightAverage swa = new WeightAverage()) {
      setWeights(1, 10);
      swa.add(params);
      setWeights(3, 20);
      swa.add(params);
      setWeights(8, 60);
      swa.add(params);

      assertEquals(3, swa.count());
      // weight[0]: (1 + 3 + 8) / 3 = 4; bias[0]: (10 + 20 + 60) / 3 = 30
      assertArrayEquals(new float[] {4, 5, 6, 7}, swa.means().get("weight").toFloatArray(), 1e-6f);
      assertArrayEquals(new float[] {30, -30}, swa.means().get("bias").toFloatArray(), 1e-5f);
    }
  }

  @Test
  void copyToWritesTheAverageIntoTheParametersInPlace() {
    try (WeightAverage swa = new WeightAverage()) {
      setWeights(2, 4);
      swa.add(params);
      setWeights(4, 8);
      swa.add(params);
      var weightArray = params.get("weight").getArray();

      swa.copyTo(params);

      assertArrayEquals(new float[] {3, 4, 5, 6}, params.get("weight").getArray().toFloatArray());
      assertArrayEquals(new float[] {6, -6}, params.get("bias").getArray().toFloatArray());
      assertEquals(weightArray, params.get("weight").getArray());
      assertEquals(true, weightArray.hasGradient());
    }
  }

  @Test
  void restoredAverageContinuesLikeTheOriginal() {
    try (WeightAverage a = new WeightAverage();
        WeightAverage b = new WeightAverage()) {
      setWeights(1, 1);
      a.add(params);
      setWeights(2, 3);
      a.add(params);
      b.restore(
          a.count(),
          Map.of(
              "weight", a.means().get("weight").toFloatArray(),
              "bias", a.means().get("bias").toFloatArray()),
          params);
      setWeights(6, 8);
      a.add(params);
      b.add(params);

      assertEquals(3, b.count());
      assertArrayEquals(
          a.means().get("weight").toFloatArray(), b.means().get("weight").toFloatArray(), 0f);
      assertArrayEquals(new float[] {3, 4, 5, 6}, b.means().get("weight").toFloatArray(), 1e-6f);
    }
  }

  @Test
  void emptyAverageCannotBeCopied() {
    try (WeightAverage swa = new WeightAverage()) {
      assertThrows(IllegalStateException.class, () -> swa.copyTo(params));
    }
  }

  @Test
  void paperSwaSnapshotsEveryThirdEpochOfEachCycle() {
    SwaConfig swa = SwaConfig.paper();
    assertEquals(150, swa.totalEpochs());
    assertEquals(false, swa.snapshotAfter(0));
    assertEquals(false, swa.snapshotAfter(1));
    assertEquals(true, swa.snapshotAfter(2));
    assertEquals(true, swa.snapshotAfter(29));
    assertEquals(false, swa.snapshotAfter(30));
    assertEquals(true, swa.snapshotAfter(32));
    assertEquals(50, swa.snapshots());
    assertEquals(5e-5, swa.schedule().learningRate(30), 0);
  }
}
