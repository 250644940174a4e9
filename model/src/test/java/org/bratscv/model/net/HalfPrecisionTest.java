package org.bratscv.model.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * float16 inference on the CPU: libtorch 2.7.1 has CPU float16 kernels for every op EquiUnet uses
 * (conv3d at 3x3x3 and CBAM's 7x7x7, matmul, max-pool, the fused batch-norm kernel), so the real
 * float16 forward is compared with float32 here, not only the cast.
 */
class HalfPrecisionTest {
  private static EquiUnet net(NDManager m, Norm norm) {
    return EquiUnet.builder()
        .fromConfig(new EquiUnet.Config(4, norm, false, true, 0f, 4, 3))
        .build()
        .initialize(m, 7);
  }

  private static NDArray input(NDManager m, long seed) {
    Random r = new Random(seed);
    float[] v = new float[4 * 16 * 16 * 16];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return m.create(v, new Shape(1, 4, 16, 16, 16));
  }

  @Test
  void castTurnsConvAndLinearWeightsToFloat16AndKeepsNormParametersInFloat32() {
    try (NDManager m = NDManager.newBaseManager()) {
      EquiUnet net = net(m, Norm.GROUP);
      int norms = 0;
      int others = 0;
      for (Pair<String, Parameter> p : net.getParameters()) {
        if (HalfPrecision.keptInFloat32(p.getValue())) {
          norms++;
        } else {
          others++;
        }
      }
      assertEquals(others, HalfPrecision.cast(net));
      assertTrue(norms > 0 && others > 0, norms + " norm, " + others + " other parameters");
      for (Pair<String, Parameter> p : net.getParameters()) {
        DataType expected =
            HalfPrecision.keptInFloat32(p.getValue()) ? DataType.FLOAT32 : DataType.FLOAT16;
        NDArray a = p.getValue().getArray();
        assertEquals(expected, a.getDataType(), p.getKey());
        assertEquals(m.getDevice(), a.getDevice(), p.getKey());
      }
      assertEquals(0, HalfPrecision.cast(net), "a second cast finds nothing left to cast");
    }
  }

  @Test
  void castKeepsEachWeightsValueToFloat16Rounding() {
    try (NDManager m = NDManager.newBaseManager()) {
      EquiUnet net = net(m, Norm.INSTANCE);
      Parameter w = net.getParameters().get(0).getValue();
      float[] before = w.getArray().toFloatArray();
      long size = w.getArray().getShape().size();
      HalfPrecision.cast(net);
      assertEquals(size, w.getArray().getShape().size());
      float[] after = w.getArray().toType(DataType.FLOAT32, false).toFloatArray();
      for (int i = 0; i < before.length; i++) {
        // float16 keeps 11 significant bits: relative rounding error at most 2^-11.
        assertEquals(before[i], after[i], Math.abs(before[i]) / 2048 + 1e-7, "value " + i);
      }
    }
  }

  @Test
  void normOfAFloat16InputIsComputedInFloat32AndHandedBackAsFloat16() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (Block norm :
          new Block[] {
            GroupNorm.builder().setChannels(4).optGroups(2).build(),
            InstanceNorm.builder().setChannels(4).build()
          }) {
        norm.initialize(m, DataType.FLOAT32, new Shape(1, 4, 4, 4, 4));
        // A scale and shift that are not 1 and 0, so the affine step is exercised in float32.
        norm.getParameters().get("gamma").getArray().set(new float[] {0.5f, 2f, -1f, 3f});
        norm.getParameters().get("beta").getArray().set(new float[] {1f, -2f, 0.25f, 0f});
        NDArray x16 = input(m, 3).get(":, :, 0:4, 0:4, 0:4").mul(100).add(50);
        x16 = x16.toType(DataType.FLOAT16, false);
        ParameterStore ps = new ParameterStore(m, false);
        NDArray y16 = norm.forward(ps, new NDList(x16), false).singletonOrThrow();
        assertEquals(DataType.FLOAT16, y16.getDataType());
        NDArray x32 = x16.toType(DataType.FLOAT32, false);
        NDArray y32 = norm.forward(ps, new NDList(x32), false).singletonOrThrow();
        // Same float32 computation, then one rounding to float16: equal to the bit.
        float[] expected =
            y32.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray();
        float[] got = y16.toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < got.length; i++) {
          assertEquals(expected[i], got[i], 0f, norm.getClass().getSimpleName() + " voxel " + i);
        }
      }
    }
  }

  @Test
  void float16ForwardOfEquiUnetMatchesFloat32WithinFloat16Accuracy() {
    for (Norm norm : Norm.values()) {
      try (NDManager m = NDManager.newBaseManager()) {
        EquiUnet net = net(m, norm);
        NDArray x = input(m, 11);
        ParameterStore ps = new ParameterStore(m, false);
        float[] ref = net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
        HalfPrecision.cast(net);
        // A store caches the arrays it handed out: the float16 ones need a new store.
        ps = new ParameterStore(m, false);
        NDArray y =
            net.forward(ps, new NDList(x.toType(DataType.FLOAT16, false)), false)
                .singletonOrThrow();
        assertEquals(DataType.FLOAT16, y.getDataType());
        float[] half = y.toType(DataType.FLOAT32, false).toFloatArray();
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(ref[i] - half[i]));
          maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        System.out.printf(
            "fp16 vs fp32 %s: max |diff| %.5f, max |logit| %.3f%n", norm, maxDiff, maxRef);
        assertTrue(maxDiff > 0, norm + ": identical outputs, so float16 never ran");
        assertTrue(maxDiff < 0.01 * Math.max(1, maxRef), norm + ": max |diff| " + maxDiff);
      }
    }
  }
}
