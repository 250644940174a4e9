package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.bratscv.model.engine.EngineEnvironment;
import org.junit.jupiter.api.Test;

class RelauncherTest {
  private static final String MAIN = "org.bratscv.jobs.cli.BratsCv";

  @Test
  void onlyEngineCommandsAreRelaunched() {
    assertTrue(Relauncher.loadsEngine(new String[] {"model", "summary", "--width", "8"}));
    assertTrue(Relauncher.loadsEngine(new String[] {"bench", "model", "--size", "64"}));
    // bench infer once ran unrelaunched: no cap on AVX-512 CPUs whose kernels are wrong, so its
    // engine refused to start there, and no tcmalloc
    assertTrue(Relauncher.loadsEngine(new String[] {"bench", "infer", "--width", "8"}));
    assertFalse(Relauncher.loadsEngine(new String[] {"bench", "preprocess"}));
    assertTrue(Relauncher.loadsEngine(new String[] {"train", "--config", "a.yaml"}));
    assertFalse(Relauncher.loadsEngine(new String[] {"bench", "nifti"}));
    assertFalse(Relauncher.loadsEngine(new String[] {"model", "--help"}));
    assertFalse(Relauncher.loadsEngine(new String[] {}));
  }

  @Test
  void commandsThatHoldCasesAreRelaunchedForTheHeapAloneWhenNoneWasGiven() {
    Map<String, String> none = Map.of();
    String[] preprocess = {"preprocess", "--config", "a.yaml"};
    assertTrue(Relauncher.relaunches(none, none, List.of("-Dx=1"), preprocess));
    assertTrue(Relauncher.relaunches(none, none, List.of(), new String[] {"bench", "preprocess"}));
    assertTrue(Relauncher.relaunches(none, none, List.of(), new String[] {"evaluate"}));
    // an engine command whose variables are all set still gets its heap
    assertTrue(Relauncher.relaunches(none, none, List.of(), new String[] {"demo"}));
    // a heap of the user's, light commands, help, or a JVM that is the relaunched child: no
    assertFalse(Relauncher.relaunches(none, none, List.of("-Xmx2g"), preprocess));
    assertFalse(Relauncher.relaunches(none, none, List.of("-Xms1g"), preprocess));
    assertFalse(Relauncher.relaunches(none, none, List.of(), new String[] {"folds"}));
    assertFalse(Relauncher.relaunches(none, none, List.of(), new String[] {"bench", "nifti"}));
    assertFalse(Relauncher.relaunches(none, none, List.of(), new String[] {"preprocess", "-h"}));
    assertFalse(Relauncher.relaunches(Map.of(Relauncher.MARKER, "1"), none, List.of(), preprocess));
    // variables the engine lacks relaunch even with a heap of the user's
    assertTrue(
        Relauncher.relaunches(
            none, Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"), List.of("-Xmx2g"), new String[] {"train"}));
  }

  @Test
  void anEngineCommandIsRelaunchedWithTheAllocatorAndTheCapItLacks() {
    String[] args = {"bench", "model"};
    Predicate<Path> noTcmalloc = p -> false;
    assertEquals(
        Map.of("GLIBC_TUNABLES", EngineEnvironment.GLIBC_VALUE, "ONEDNN_MAX_CPU_ISA", "AVX2"),
        Relauncher.childEnvironment(Map.of(), args, () -> true, noTcmalloc));
    Path tcmalloc = Path.of("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4");
    assertEquals(
        Map.of("LD_PRELOAD", tcmalloc.toString()),
        Relauncher.childEnvironment(Map.of(), args, () -> false, tcmalloc::equals));
    assertEquals(
        Map.of(),
        Relauncher.childEnvironment(
            Map.of("LD_PRELOAD", tcmalloc.toString(), "ONEDNN_MAX_CPU_ISA", "AVX2"),
            args,
            () -> false,
            noTcmalloc));
  }

  @Test
  void noRelaunchAndNoSelfTestForOtherCommandsOrAnAlreadyRelaunchedJvm() {
    AtomicInteger asked = new AtomicInteger();
    BooleanSupplier cap =
        () -> {
          asked.incrementAndGet();
          return true;
        };
    assertEquals(
        Map.of(),
        Relauncher.childEnvironment(Map.of(), new String[] {"bench", "nifti"}, cap, p -> false));
    assertEquals(
        Map.of(),
        Relauncher.childEnvironment(
            Map.of(Relauncher.MARKER, "1"), new String[] {"train"}, cap, p -> false));
    assertEquals(0, asked.get());
  }

  @Test
  void childRepeatsJarOrClassPathLaunchWithSameOptionsAndArguments() {
    String[] args = {"bench", "model", "--size", "64"};
    assertEquals(
        List.of(
            "/usr/bin/java",
            "-Xmx2g",
            "-jar",
            "jobs/target/brats-cv.jar",
            "bench",
            "model",
            "--size",
            "64"),
        Relauncher.childCommand(
                "/usr/bin/java",
                List.of("-Xmx2g"),
                "jobs/target/brats-cv.jar bench model --size 64",
                "jobs/target/brats-cv.jar",
                MAIN,
                args)
            .orElseThrow());
    assertEquals(
        List.of("/usr/bin/java", "-cp", "a.jar:b.jar", MAIN, "bench", "model", "--size", "64"),
        Relauncher.childCommand(
                "/usr/bin/java",
                List.of(),
                MAIN + " bench model --size 64",
                "a.jar:b.jar",
                MAIN,
                args)
            .orElseThrow());
  }

  @Test
  void sparkSubmitDriversAreNotRelaunched() {
    assertTrue(
        Relauncher.childCommand(
                "/usr/bin/java",
                List.of(),
                "org.apache.spark.deploy.SparkSubmit --class x app.jar",
                "spark/jars/*",
                MAIN,
                new String[] {"train"})
            .isEmpty());
  }
}
