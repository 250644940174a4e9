package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The start-up check for a loadable libtorch, with os.name/os.arch and the class path injected. */
class NativePlatformTest {
  // what pytorch-jni 2.7.1-0.36.0 carries (jnilib/<platform>/<flavor>/)
  private static final Set<String> JNI =
      Set.of(
          "linux-x86_64/cpu",
          "linux-x86_64/cu128",
          "linux-aarch64/cpu",
          "osx-aarch64/cpu",
          "win-x86_64/cpu",
          "win-x86_64/cu128");

  private static Optional<String> problem(
      String osName, String osArch, Map<String, String> env, List<String> bundled) {
    return NativePlatform.problem(
        osName, osArch, env, bundled, JNI::contains, dir -> dir.equals("/opt/libtorch/lib"));
  }

  @Test
  void platformsAreNamedAsDjlNamesThem() {
    assertEquals("linux-x86_64", NativePlatform.classifier("Linux", "amd64"));
    assertEquals("linux-aarch64", NativePlatform.classifier("Linux", "aarch64"));
    assertEquals("osx-aarch64", NativePlatform.classifier("Mac OS X", "aarch64"));
    assertEquals("osx-x86_64", NativePlatform.classifier("Mac OS X", "x86_64"));
    assertEquals("win-x86_64", NativePlatform.classifier("Windows 11", "amd64"));
    assertEquals("linux-ppc64le", NativePlatform.classifier("Linux", "ppc64le"));
  }

  @Test
  void theBundledCpuBuildRunsOnItsOwnPlatformOnly() {
    List<String> x86 = List.of("linux-x86_64");
    assertEquals(Optional.empty(), problem("Linux", "amd64", Map.of(), x86));
    String mac = problem("Mac OS X", "aarch64", Map.of(), x86).orElseThrow();
    assertTrue(
        mac.contains("bundles the CPU libtorch 2.7.1 for linux-x86_64 only")
            && mac.contains("this machine is osx-aarch64 (os.name Mac OS X, os.arch aarch64)")
            && mac.contains("PYTORCH_LIBRARY_PATH"),
        mac);
    String gh200 = problem("Linux", "aarch64", Map.of(), x86).orElseThrow();
    assertTrue(gh200.contains("this machine is linux-aarch64"), gh200);
    // a jar built with the aarch64 profile runs there
    assertEquals(Optional.empty(), problem("Linux", "aarch64", Map.of(), List.of("linux-aarch64")));
  }

  @Test
  void theGpuJarNeedsPytorchLibraryPath() {
    String none = problem("Linux", "amd64", Map.of(), List.of()).orElseThrow();
    assertTrue(none.contains("bundles no libtorch"), none);
    Map<String, String> cuda =
        Map.of("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib", "PYTORCH_FLAVOR", "cu128");
    assertEquals(Optional.empty(), problem("Linux", "amd64", cuda, List.of()));
  }

  @Test
  void pytorchLibraryPathMustHoldLibtorchAndHaveAJniForItsPlatformAndFlavor() {
    String empty =
        problem("Linux", "amd64", Map.of("PYTORCH_LIBRARY_PATH", "/nowhere"), List.of())
            .orElseThrow();
    assertTrue(empty.contains("PYTORCH_LIBRARY_PATH=/nowhere holds no libtorch library"), empty);
    Map<String, String> cudaOnArm =
        Map.of("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib", "PYTORCH_FLAVOR", "cu128");
    String arm = problem("Linux", "aarch64", cudaOnArm, List.of()).orElseThrow();
    assertTrue(arm.contains("no PyTorch JNI library for linux-aarch64 flavor cu128"), arm);
    // the CPU flavor is the default and exists for linux-aarch64
    assertEquals(
        Optional.empty(),
        problem(
            "Linux", "aarch64", Map.of("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib"), List.of()));
  }

  @Test
  void theClassPathOfTheseTestsBundlesTheLinuxX8664Build() {
    assertEquals(
        List.of("linux-x86_64"),
        NativePlatform.bundledPlatforms(NativePlatformTest.class.getClassLoader()));
  }
}
