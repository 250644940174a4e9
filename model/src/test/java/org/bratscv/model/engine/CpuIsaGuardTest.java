package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuIsaGuardTest {
  private static final Set<String> AVX512 = Set.of("sse4_2", "avx2", "avx512f", "avx512bw");
  private static final Set<String> AVX2_ONLY = Set.of("sse4_2", "avx2", "fma");

  @Test
  void theCapIsReadFromTheCurrentNameFirstThenTheLegacyOne() {
    assertEquals(Optional.empty(), CpuIsaGuard.cap(Map.of()));
    assertEquals(Optional.empty(), CpuIsaGuard.cap(Map.of("ONEDNN_MAX_CPU_ISA", " ")));
    assertEquals(Optional.of("AVX2"), CpuIsaGuard.cap(Map.of("ONEDNN_MAX_CPU_ISA", " avx2 ")));
    assertEquals(
        Optional.of("AVX512_CORE"), CpuIsaGuard.cap(Map.of("DNNL_MAX_CPU_ISA", "avx512_core")));
    assertEquals(
        Optional.of("ALL"),
        CpuIsaGuard.cap(Map.of("ONEDNN_MAX_CPU_ISA", "ALL", "DNNL_MAX_CPU_ISA", "AVX2")));
    assertEquals(
        Optional.of("AVX2"),
        CpuIsaGuard.cap(Map.of("ONEDNN_MAX_CPU_ISA", "", "DNNL_MAX_CPU_ISA", "AVX2")));
    assertTrue(CpuIsaGuard.isCapped(Map.of("DNNL_MAX_CPU_ISA", "AVX2")));
    assertFalse(CpuIsaGuard.isCapped(Map.of("ONEDNN_MAX_CPU_ISA", "")));
  }

  @Test
  void noCapWithoutAvx512OrWhenTheUserSetOneAndNoSelfTestThen(@TempDir Path dir) {
    AtomicInteger runs = new AtomicInteger();
    BooleanSupplier probe =
        () -> {
          runs.incrementAndGet();
          return false;
        };
    Path cache = dir.resolve("verdict");
    assertFalse(CpuIsaGuard.needsCap(Map.of(), AVX2_ONLY, cache, probe));
    assertFalse(CpuIsaGuard.needsCap(Map.of("ONEDNN_MAX_CPU_ISA", "ALL"), AVX512, cache, probe));
    assertFalse(CpuIsaGuard.needsCap(Map.of("DNNL_MAX_CPU_ISA", "AVX2"), AVX512, cache, probe));
    assertEquals(0, runs.get());
    assertFalse(Files.exists(cache));
  }

  @Test
  void aFailingSelfTestCapsAndIsRememberedPerMachine(@TempDir Path dir) {
    AtomicInteger runs = new AtomicInteger();
    BooleanSupplier fails =
        () -> {
          runs.incrementAndGet();
          return false;
        };
    Path cache = dir.resolve("sub").resolve("verdict");
    assertTrue(CpuIsaGuard.needsCap(Map.of(), AVX512, cache, fails));
    assertTrue(CpuIsaGuard.needsCap(Map.of(), AVX512, cache, fails));
    assertEquals(1, runs.get());
    assertEquals("cap", CpuIsaGuard.readVerdict(cache).orElseThrow());
  }

  @Test
  void aPassingSelfTestLeavesAvx512OnAndAnUnrunnableOneCaps(@TempDir Path dir) {
    assertFalse(CpuIsaGuard.needsCap(Map.of(), AVX512, dir.resolve("a"), () -> true));
    assertFalse(CpuIsaGuard.needsCap(Map.of(), AVX512, dir.resolve("a"), () -> false));
    BooleanSupplier crashes =
        () -> {
          throw new IllegalStateException("no java");
        };
    assertTrue(CpuIsaGuard.needsCap(Map.of(), AVX512, dir.resolve("b"), crashes));
  }

  @Test
  void theCacheFileChangesWithCpuAndLibtorch() {
    Path dir = Path.of("/c");
    Path base = CpuIsaGuard.cacheFile(dir, "AMD EPYC", AVX512, Map.of(), "0.1.0");
    assertEquals(base, CpuIsaGuard.cacheFile(dir, "AMD EPYC", AVX512, Map.of(), "0.1.0"));
    assertNotEquals(base, CpuIsaGuard.cacheFile(dir, "Intel Xeon", AVX512, Map.of(), "0.1.0"));
    assertNotEquals(base, CpuIsaGuard.cacheFile(dir, "AMD EPYC", AVX2_ONLY, Map.of(), "0.1.0"));
    assertNotEquals(
        base,
        CpuIsaGuard.cacheFile(
            dir, "AMD EPYC", AVX512, Map.of("PYTORCH_LIBRARY_PATH", "/opt/lt"), "0.1.0"));
    assertNotEquals(base, CpuIsaGuard.cacheFile(dir, "AMD EPYC", AVX512, Map.of(), "0.2.0"));
    assertEquals(Path.of("/x/brats-cv"), CpuIsaGuard.cacheDir(Map.of("XDG_CACHE_HOME", "/x")));
  }

  @Test
  void readsFlagsFromCpuinfo(@TempDir Path dir) throws Exception {
    Path cpuinfo = dir.resolve("cpuinfo");
    Files.writeString(
        cpuinfo,
        "processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse2 avx2 avx512f\n\nprocessor\t: 1\n");
    assertEquals(Set.of("fpu", "sse2", "avx2", "avx512f"), CpuIsaGuard.cpuFlags(cpuinfo));
    assertEquals(Set.of(), CpuIsaGuard.cpuFlags(dir.resolve("missing")));
    assertTrue(CpuIsaGuard.hasAvx512(CpuIsaGuard.cpuFlags(cpuinfo)));
  }

  @Test
  void theErrorNamesTheFixForLauncherAndSpark() {
    String m = CpuIsaGuard.wrongKernelMessage("conv3d forward, 24 -> 16 channels");
    assertTrue(m.contains("ONEDNN_MAX_CPU_ISA=AVX2"), m);
    assertTrue(m.contains("spark.executorEnv.ONEDNN_MAX_CPU_ISA"), m);
    assertTrue(m.contains("24 -> 16 channels"), m);
  }
}
