package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU nodes run the cluster jar without the bundled CPU libtorch and point DJL at the image's
 * libtorch with {@code PYTORCH_LIBRARY_PATH}. Shown here with the CPU libtorch of the bundled
 * native jar as the stand-in: unpacked into a folder, the native jar taken off the class path, a
 * fresh JVM (DJL loads libtorch once per process) computes with the libtorch of that folder.
 * Without the variable the same JVM stops at start with the platform message.
 */
class PytorchLibraryPathTest {
  @TempDir Path dir;

  /** The child JVM: starts the engine, computes, and says which libtorch_cpu.so it mapped. */
  public static final class Child {
    public static void main(String[] args) throws IOException {
      System.out.println(
          "bundled=" + NativePlatform.bundledPlatforms(Child.class.getClassLoader()));
      TorchEngine engine = TorchEngine.start(EngineSettings.defaults().withThreads(1, 1));
      try (NDManager m = engine.engine().newBaseManager()) {
        System.out.println("sum=" + m.create(new float[] {1, 2, 3.5f}).sum().getFloat());
      }
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        if (line.endsWith("libtorch_cpu.so")) {
          System.out.println("loaded=" + line.substring(line.indexOf('/')));
          break;
        }
      }
    }
  }

  /** The bundled native jar (its pytorch.properties resource names it). */
  private static Path nativeJar() throws IOException {
    URL props =
        PytorchLibraryPathTest.class.getClassLoader().getResource("native/lib/pytorch.properties");
    String url = props.toString(); // jar:file:/.../pytorch-native-cpu-2.7.1-linux-x86_64.jar!/...
    return Path.of(java.net.URI.create(url.substring("jar:".length(), url.indexOf("!/"))));
  }

  private static String classPathWithout(Path jar) throws IOException {
    List<String> kept = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!Files.exists(Path.of(entry)) || !Files.isSameFile(Path.of(entry), jar)) {
        kept.add(entry);
      }
    }
    return String.join(File.pathSeparator, kept);
  }

  private record Result(int exit, String out) {}

  private Result child(Map<String, String> env) throws Exception {
    Path jar = nativeJar();
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classPathWithout(jar),
            Child.class.getName());
    pb.environment().remove("PYTORCH_LIBRARY_PATH");
    pb.environment().put("DJL_CACHE_DIR", dir.resolve("djl-cache").toString());
    pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child timed out: " + out);
    return new Result(p.exitValue(), out);
  }

  @Test
  void djlLoadsTheLibtorchThatPytorchLibraryPathNames() throws Exception {
    Path lib = Files.createDirectories(dir.resolve("libtorch/lib"));
    try (JarFile jar = new JarFile(nativeJar().toFile())) {
      String prefix = "pytorch/cpu/linux-x86_64/";
      for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
        JarEntry entry = e.nextElement();
        if (entry.getName().startsWith(prefix) && !entry.isDirectory()) {
          try (InputStream in = jar.getInputStream(entry)) {
            Files.copy(
                in,
                lib.resolve(entry.getName().substring(prefix.length())),
                StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
    Result r =
        child(
            Map.of(
                "PYTORCH_LIBRARY_PATH", lib.toString(),
                "PYTORCH_VERSION", "2.7.1",
                "PYTORCH_FLAVOR", "cpu"));
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("bundled=[]"), "no native jar on the class path: " + r.out());
    assertTrue(r.out().contains("sum=6.5"), r.out());
    String loaded =
        r.out()
            .lines()
            .filter(l -> l.startsWith("loaded="))
            .map(l -> l.substring("loaded=".length()))
            .collect(Collectors.joining());
    assertEquals(lib.resolve("libtorch_cpu.so").toRealPath().toString(), loaded, r.out());
  }

  @Test
  void withoutANativeJarOrPytorchLibraryPathTheEngineStopsWithThePlatformMessage()
      throws Exception {
    Result r = child(Map.of());
    assertTrue(r.exit() != 0, r.out());
    assertTrue(
        r.out().contains("libtorch: this brats-cv jar bundles no libtorch")
            && r.out().contains("set PYTORCH_LIBRARY_PATH"),
        r.out());
  }
}
