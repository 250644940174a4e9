package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DeviceChoiceTest {
  @Test
  void parsesTheUsualSpellings() {
    assertEquals(Device.cpu(), DeviceChoice.parse("cpu"));
    assertEquals(Device.cpu(), DeviceChoice.parse(" CPU "));
    assertEquals(Device.gpu(0), DeviceChoice.parse("gpu"));
    assertEquals(Device.gpu(1), DeviceChoice.parse("gpu:1"));
    assertEquals(Device.gpu(2), DeviceChoice.parse("cuda:2"));
    assertEquals(Device.gpu(3), DeviceChoice.parse("3"));
  }

  @Test
  void rejectsNonsenseWithTheInputInTheMessage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse("tpu:0"));
    assertTrue(e.getMessage().contains("tpu:0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse("gpu:-1"));
    assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse(""));
  }

  @Test
  void aGpuBeyondTheEngineCountIsRefused() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> DeviceChoice.requireAvailable(Device.gpu(1), 1));
    assertTrue(e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
    assertEquals(Device.cpu(), DeviceChoice.requireAvailable(Device.cpu(), 0));
  }
}
