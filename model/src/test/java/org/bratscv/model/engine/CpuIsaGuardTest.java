package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuIsaGuardTest {
  private static final Set<String> AVX512 = Set.of("sse4_2", "avx2", "avx512f", "avx512bw");
  private static final Set<String> AVX2_ONLY = Set.of("sse4_2", "avx2", "fma");

  @Test
  void warnsOnAvx512WithoutTheCap() {
    String w = CpuIsaGuard.warning(Map.of(), AVX512).orElseThrow();
    assertTrue(w.contains("ONEDNN_MAX_CPU_ISA=AVX2"), w);
    assertTrue(w.contains("spark.executorEnv.ONEDNN_MAX_CPU_ISA"), w);
  }

  @Test
  void silentWhenCappedUnderEitherNameOrWithoutAvx512() {
    assertTrue(CpuIsaGuard.warning(Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"), AVX512).isEmpty());
    assertTrue(CpuIsaGuard.warning(Map.of("DNNL_MAX_CPU_ISA", "AVX2"), AVX512).isEmpty());
    assertTrue(CpuIsaGuard.warning(Map.of(), AVX2_ONLY).isEmpty());
    assertFalse(CpuIsaGuard.isCapped(Map.of("ONEDNN_MAX_CPU_ISA", " ")));
  }

  @Test
  void readsFlagsFromCpuinfo(@TempDir Path dir) throws Exception {
    Path cpuinfo = dir.resolve("cpuinfo");
    Files.writeString(
        cpuinfo,
        "processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse2 avx2 avx512f\n\nprocessor\t: 1\n");
    assertEquals(Set.of("fpu", "sse2", "avx2", "avx512f"), CpuIsaGuard.cpuFlags(cpuinfo));
    assertEquals(Set.of(), CpuIsaGuard.cpuFlags(dir.resolve("missing")));
  }

  /** Surefire sets the cap for the tests (see the root pom), so this JVM must not need it. */
  @Test
  void thisTestJvmIsCapped() {
    assertFalse(CpuIsaGuard.needsCap());
  }
}
