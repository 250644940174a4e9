package org.bratscv.model.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class PrecisionTest {
  @Test
  void float16IsKeptOnAGpuAndBecomesFloat32OnTheCpu() {
    assertEquals(Precision.FP16, Precision.FP16.on(Device.gpu(0)));
    assertEquals(Precision.FP16, Precision.FP16.on(Device.gpu(3)));
    assertEquals(Precision.FP32, Precision.FP16.on(Device.cpu()));
    assertEquals(Precision.FP32, Precision.FP32.on(Device.gpu(0)));
    assertEquals(Precision.FP32, Precision.FP32.on(Device.cpu()));
  }

  @Test
  void parsesTheUsualSpellingsAndNamesTheBadOne() {
    assertEquals(Precision.FP16, Precision.parse(" Half "));
    assertEquals(Precision.FP32, Precision.parse("float32"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Precision.parse("bf16"));
    assertEquals("precision 'bf16' is not one of fp32, fp16", e.getMessage());
  }
}
