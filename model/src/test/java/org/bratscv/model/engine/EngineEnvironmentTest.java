package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class EngineEnvironmentTest {
  private static final Path RHEL_TCMALLOC = Path.of("/usr/lib64/libtcmalloc_minimal.so.4");
  private static final Predicate<Path> ONLY_RHEL_TCMALLOC = RHEL_TCMALLOC::equals;
  private static final Predicate<Path> NOTHING = p -> false;

  @Test
  void preloadsTcmallocFromTheFirstFolderThatHasIt() {
    assertEquals(
        Map.of("LD_PRELOAD", RHEL_TCMALLOC.toString()),
        EngineEnvironment.missing(Map.of(), false, ONLY_RHEL_TCMALLOC));
    Predicate<Path> both =
        p -> p.equals(RHEL_TCMALLOC) || p.startsWith("/usr/lib/x86_64-linux-gnu");
    assertEquals(
        Map.of("LD_PRELOAD", "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"),
        EngineEnvironment.missing(Map.of(), false, both));
  }

  @Test
  void withoutTcmallocGlibcGetsOneArenaAndTheLargestMmapThreshold() {
    Map<String, String> add = EngineEnvironment.missing(Map.of(), false, NOTHING);
    assertEquals(List.of("GLIBC_TUNABLES"), List.copyOf(add.keySet()));
    String t = add.get("GLIBC_TUNABLES");
    assertTrue(t.contains("glibc.malloc.arena_max=1"), t);
    assertTrue(t.contains("glibc.malloc.mmap_threshold=33554432"), t);
  }

  @Test
  void theUsersAllocatorChoiceWins() {
    assertEquals(
        Map.of(),
        EngineEnvironment.missing(Map.of("LD_PRELOAD", "/opt/jemalloc.so"), false, NOTHING));
    assertEquals(
        Map.of(),
        EngineEnvironment.missing(
            Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=4"), false, ONLY_RHEL_TCMALLOC));
    assertEquals(
        Map.of("GLIBC_TUNABLES", EngineEnvironment.GLIBC_VALUE),
        EngineEnvironment.missing(
            Map.of("BRATS_CV_ALLOCATOR", "glibc"), false, ONLY_RHEL_TCMALLOC));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EngineEnvironment.missing(
                    Map.of("BRATS_CV_ALLOCATOR", "jemalloc"), false, NOTHING));
    assertTrue(e.getMessage().contains("BRATS_CV_ALLOCATOR"), e.getMessage());
  }

  @Test
  void theIsaCapIsAddedOnlyWhenAskedAndNotAlreadySet() {
    Map<String, String> preloaded = Map.of("LD_PRELOAD", RHEL_TCMALLOC.toString());
    assertEquals(
        Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"), EngineEnvironment.missing(preloaded, true, NOTHING));
    assertEquals(Map.of(), EngineEnvironment.missing(preloaded, false, NOTHING));
    assertEquals(
        Map.of(),
        EngineEnvironment.missing(
            Map.of("LD_PRELOAD", "x.so", "DNNL_MAX_CPU_ISA", "AVX512_CORE"), true, NOTHING));
  }

  @Test
  void executorsGetThePortablePreloadTheGlibcFallbackAndTheCap() {
    assertEquals(
        List.of("LD_PRELOAD", "GLIBC_TUNABLES", "ONEDNN_MAX_CPU_ISA"),
        List.copyOf(EngineEnvironment.forExecutors(true, true).keySet()));
    assertEquals("/usr/$LIB/libtcmalloc_minimal.so.4", EngineEnvironment.PORTABLE_TCMALLOC);
    assertEquals(
        Map.of("GLIBC_TUNABLES", EngineEnvironment.GLIBC_VALUE),
        EngineEnvironment.forExecutors(false, false));
  }
}
