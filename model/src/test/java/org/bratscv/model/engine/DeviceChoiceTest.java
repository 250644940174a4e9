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

  @Test
  void aWorkstationsAutoSettingTakesItsGpuAndFallsBackToTheCpu() {
    assertEquals(Device.gpu(0), DeviceChoice.resolve("auto", "cpu", 1));
    assertEquals(Device.cpu(), DeviceChoice.resolve("auto", "cpu", 0));
    assertEquals(Device.cpu(), DeviceChoice.resolve("cpu", "cpu", 2));
    assertEquals(Device.gpu(1), DeviceChoice.resolve("gpu:1", "cpu", 2));
    assertEquals(Device.gpu(0), DeviceChoice.resolve(" GPU ", "cpu", 1));
  }

  @Test
  void theGpuSparkGaveATaskWinsUnlessTheSettingSaysCpu() {
    assertEquals(Device.gpu(3), DeviceChoice.resolve("auto", "gpu:3", 4));
    assertEquals(Device.gpu(3), DeviceChoice.resolve("gpu:0", "gpu:3", 4));
    assertEquals(Device.cpu(), DeviceChoice.resolve("cpu", "gpu:3", 4));
  }

  @Test
  void askingForAGpuThatIsNotThereIsAClearError() {
    IllegalStateException none =
        assertThrows(IllegalStateException.class, () -> DeviceChoice.resolve("gpu", "cpu", 0));
    assertTrue(
        none.getMessage()
            .startsWith("device gpu(0) requested but the PyTorch engine sees 0 GPU(s)"),
        none.getMessage());
    assertThrows(IllegalStateException.class, () -> DeviceChoice.resolve("gpu:1", "cpu", 1));
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> DeviceChoice.checkSetting("tpu"));
    assertEquals("device 'tpu' is not one of auto, cpu, gpu, gpu:N", bad.getMessage());
    assertEquals("auto", DeviceChoice.checkSetting(" AUTO "));
  }

  @Test
  void foldsTakeTurnsOnAGpuButNeverWaitForTheCpu() throws Exception {
    Device gpu = Device.gpu(7);
    GpuTurns.Turn first = GpuTurns.take(gpu);
    assertTrue(GpuTurns.isTaken(gpu));
    java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
    Thread t =
        new Thread(
            () -> {
              try (GpuTurns.Turn turn = GpuTurns.take(gpu)) {
                second.countDown();
              }
            });
    t.start();
    // the second fold waits in line while the first holds the GPU
    while (!GpuTurns.hasWaiters(gpu)) {
      Thread.onSpinWait();
    }
    assertEquals(1, second.getCount());
    try (GpuTurns.Turn cpu = GpuTurns.take(Device.cpu())) {
      assertEquals(false, GpuTurns.isTaken(Device.cpu()));
    }
    first.close();
    assertTrue(second.await(10, java.util.concurrent.TimeUnit.SECONDS));
    t.join();
    assertEquals(false, GpuTurns.isTaken(gpu));
  }
}
