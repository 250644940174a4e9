package org.bratscv.model.engine;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * Checks, before DJL loads anything, that this machine has a libtorch brats-cv can load: either
 * {@code PYTORCH_LIBRARY_PATH} names a folder with libtorch (a CUDA build on GPU nodes), or one of
 * the {@code pytorch-native-cpu} jars on the class path was built for this platform. DJL alone
 * fails obscurely on a platform without one (it tries to download libtorch, which offline mode
 * forbids); this says which platform the jar supports and what to do.
 *
 * <p>Platforms are named as DJL names them: {@code linux-x86_64}, {@code linux-aarch64}, {@code
 * osx-aarch64}, {@code win-x86_64}.
 */
public final class NativePlatform {
  /** Where each bundled native jar says which platform it was built for ({@code classifier=}). */
  static final String BUNDLED_PROPERTIES = "native/lib/pytorch.properties";

  public static final String LIBRARY_PATH_ENV = "PYTORCH_LIBRARY_PATH";
  static final String FLAVOR_ENV = "PYTORCH_FLAVOR";

  private NativePlatform() {}

  /** DJL's name of the platform {@code os.name}/{@code os.arch} describe. */
  public static String classifier(String osName, String osArch) {
    String name = osName.toLowerCase(Locale.ROOT);
    String os =
        name.startsWith("linux")
            ? "linux"
            : name.startsWith("mac") || name.startsWith("darwin")
                ? "osx"
                : name.startsWith("windows") ? "win" : name.replaceAll("[^a-z0-9]", "");
    String arch = osArch.toLowerCase(Locale.ROOT);
    arch =
        switch (arch) {
          case "amd64", "x86_64", "x64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch64";
          default -> arch;
        };
    return os + "-" + arch;
  }

  /**
   * Why libtorch cannot be loaded here, or empty when it can.
   *
   * @param bundled the platforms of the native jars on the class path
   * @param jni whether DJL's JNI library exists for a (platform, flavor), as {@code
   *     jnilib/<platform>/<flavor>/...} in pytorch-jni
   * @param isFolderWithLibtorch whether a folder holds a libtorch library
   */
  static Optional<String> problem(
      String osName,
      String osArch,
      Map<String, String> env,
      List<String> bundled,
      Predicate<String> jni,
      Predicate<String> isFolderWithLibtorch) {
    String platform = classifier(osName, osArch);
    String libraryPath = env.get(LIBRARY_PATH_ENV);
    if (libraryPath != null && !libraryPath.isBlank()) {
      if (!isFolderWithLibtorch.test(libraryPath)) {
        return Optional.of(
            LIBRARY_PATH_ENV
                + "="
                + libraryPath
                + " holds no libtorch library: point it at the lib folder of libtorch 2.7.1");
      }
      String flavor = env.getOrDefault(FLAVOR_ENV, "cpu");
      if (!jni.test(platform + "/" + flavor)) {
        return Optional.of(
            "DJL 0.36 has no PyTorch JNI library for "
                + platform
                + " flavor "
                + flavor
                + " (os.name "
                + osName
                + ", os.arch "
                + osArch
                + "); set "
                + FLAVOR_ENV
                + " to cpu or cu128 (linux-x86_64)");
      }
      return Optional.empty();
    }
    if (bundled.contains(platform)) {
      return Optional.empty();
    }
    return Optional.of(
        (bundled.isEmpty()
                ? "this brats-cv jar bundles no libtorch (the GPU cluster jar)"
                : "this brats-cv jar bundles the CPU libtorch 2.7.1 for "
                    + String.join(", ", bundled)
                    + " only")
            + ", and this machine is "
            + platform
            + " (os.name "
            + osName
            + ", os.arch "
            + osArch
            + "): set "
            + LIBRARY_PATH_ENV
            + " to the lib folder of a libtorch 2.7.1 for this platform (with PYTORCH_VERSION=2.7.1"
            + " and PYTORCH_FLAVOR), or build brats-cv on this platform (see README, libtorch)");
  }

  /** The platforms of the bundled native jars on the class path. */
  static List<String> bundledPlatforms(ClassLoader loader) {
    List<String> out = new ArrayList<>();
    try {
      for (URL u : Collections.list(loader.getResources(BUNDLED_PROPERTIES))) {
        Properties p = new Properties();
        try (InputStream in = u.openStream()) {
          p.load(in);
        }
        String c = p.getProperty("classifier");
        if (c != null) {
          out.add(c.trim());
        }
      }
    } catch (IOException e) {
      // unreadable: as if none were bundled; the message says what to do
    }
    return out;
  }

  private static boolean jniExists(ClassLoader loader, String platformAndFlavor) {
    String dir = "jnilib/" + platformAndFlavor + "/";
    return loader.getResource(dir + "libdjl_torch.so") != null
        || loader.getResource(dir + "libdjl_torch.dylib") != null
        || loader.getResource(dir + "djl_torch.dll") != null;
  }

  private static boolean holdsLibtorch(String folder) {
    Path dir = Path.of(folder);
    return Files.isRegularFile(dir.resolve("libtorch.so"))
        || Files.isRegularFile(dir.resolve("libtorch.dylib"))
        || Files.isRegularFile(dir.resolve("torch.dll"));
  }

  /** Fails with the reason when this JVM's platform has no libtorch brats-cv can load. */
  public static void requireSupported() {
    ClassLoader loader = NativePlatform.class.getClassLoader();
    problem(
            System.getProperty("os.name"),
            System.getProperty("os.arch"),
            System.getenv(),
            bundledPlatforms(loader),
            pf -> jniExists(loader, pf),
            NativePlatform::holdsLibtorch)
        .ifPresent(
            why -> {
              throw new IllegalStateException("libtorch: " + why);
            });
  }
}
