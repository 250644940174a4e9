package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RelauncherTest {
  private static final Set<String> AVX512 = Set.of("avx2", "avx512f");
  private static final String MAIN = "org.bratscv.jobs.cli.BratsCv";

  @Test
  void onlyEngineCommandsAreRelaunched() {
    assertTrue(Relauncher.loadsEngine(new String[] {"model", "summary", "--width", "8"}));
    assertTrue(Relauncher.loadsEngine(new String[] {"bench", "model", "--size", "64"}));
    assertTrue(Relauncher.loadsEngine(new String[] {"train", "--config", "a.yaml"}));
    assertFalse(Relauncher.loadsEngine(new String[] {"bench", "nifti"}));
    assertFalse(Relauncher.loadsEngine(new String[] {"model", "--help"}));
    assertFalse(Relauncher.loadsEngine(new String[] {}));
  }

  @Test
  void relaunchOnlyOnAvx512WithoutCapAndWithoutMarker() {
    String[] args = {"bench", "model"};
    assertTrue(Relauncher.shouldRelaunch(Map.of(), AVX512, args));
    assertFalse(Relauncher.shouldRelaunch(Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"), AVX512, args));
    assertFalse(Relauncher.shouldRelaunch(Map.of(Relauncher.MARKER, "1"), AVX512, args));
    assertFalse(Relauncher.shouldRelaunch(Map.of(), Set.of("avx2"), args));
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
