package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regression test of the AVX-512 guard: the conv3d shapes oneDNN got wrong must come out right
 * (no NaN, float64 agreement) in a JVM started as the guard decides, and the guard must decide the
 * cap whenever the uncapped kernels are wrong on this CPU.
 */
class OneDnnSelfTestTest {
  @Test
  void theKnownBadShapesAreRightInThisTestJvm() {
    TorchEngine.start(EngineSettings.defaults());
    try (NDManager m = NDManager.newBaseManager()) {
      assertEquals(Optional.empty(), OneDnnSelfTest.wrongKernel(m));
    }
  }

  @Test
  void theKnownBadShapesAreRightUnderTheGuardsDecision(@TempDir Path dir) throws Exception {
    boolean avx512 = CpuIsaGuard.hasAvx512(CpuIsaGuard.cpuFlags());
    int uncapped = avx512 ? selfTest(dir, false) : 0;
    assertTrue(uncapped == 0 || uncapped == OneDnnSelfTest.WRONG, "self-test crashed: " + uncapped);
    boolean cap =
        CpuIsaGuard.needsCap(
            Map.of(), CpuIsaGuard.cpuFlags(), dir.resolve("verdict"), () -> uncapped == 0);
    assertEquals(avx512 && uncapped != 0, cap);
    assertEquals(0, selfTest(dir, cap), "wrong conv3d kernels with cap=" + cap);
  }

  private static int selfTest(Path dir, boolean cap) throws Exception {
    Path log = dir.resolve("self-test-" + cap + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dai.djl.offline=true",
                    OneDnnSelfTest.class.getName()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().remove(CpuIsaGuard.ENV);
    pb.environment().remove(CpuIsaGuard.LEGACY_ENV);
    if (cap) {
      pb.environment().put(CpuIsaGuard.ENV, CpuIsaGuard.SAFE_VALUE);
    }
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("self-test did not finish: " + Files.readString(log));
    }
    return p.exitValue();
  }
}
