package org.bratscv.model.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine for this JVM with the project's settings. DJL reads its settings from
 * system properties once, when the engine first loads, so {@link #start} must run before anything
 * else touches DJL; a second call with other thread counts can only change the intra-op count
 * (libtorch fixes the inter-op pool at first use) and says so in the log.
 *
 * <p>Always offline: {@code ai.djl.offline=true} stops DJL from probing the network (it would try a
 * cloud metadata address and libtorch downloads); libtorch comes from the bundled {@code
 * pytorch-native-cpu} jar or, on GPU machines, from {@code PYTORCH_LIBRARY_PATH}.
 */
public final class TorchEngine {
  public static final String ENGINE_NAME = "PyTorch";
  static final String OFFLINE = "ai.djl.offline";
  static final String INTRA_OP = "ai.djl.pytorch.num_threads";
  static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

  private static final Logger LOG = LoggerFactory.getLogger(TorchEngine.class);

  private final Engine engine;

  private TorchEngine(Engine engine) {
    this.engine = engine;
  }

  /**
   * Loads (or finds the already loaded) PyTorch engine configured by {@code settings}. On an
   * AVX-512 CPU without {@code ONEDNN_MAX_CPU_ISA} it first checks oneDNN's conv3d kernels ({@link
   * OneDnnSelfTest}, about a second) and stops with the fix when they are wrong and no GPU is there
   * to take the convolutions.
   */
  public static synchronized TorchEngine start(EngineSettings settings) {
    TorchEngine started = load(settings);
    if (!verified && CpuIsaGuard.mustVerify(System.getenv(), CpuIsaGuard.cpuFlags())) {
      Optional<String> wrong;
      try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
        wrong = OneDnnSelfTest.wrongKernel(m);
      }
      if (wrong.isPresent()) {
        String msg = CpuIsaGuard.wrongKernelMessage(wrong.get());
        if (started.gpuCount() == 0) {
          throw new IllegalStateException(msg);
        }
        LOG.warn(msg);
      }
      verified = true;
    }
    return started;
  }

  /** Set once this JVM's oneDNN kernels were checked (the environment cannot change after). */
  private static boolean verified;

  /** {@link #start} without the kernel check (for the check itself). */
  static synchronized TorchEngine load(EngineSettings settings) {
    NativePlatform.requireSupported();
    System.setProperty(OFFLINE, "true");
    settings
        .cacheDir()
        .ifPresent(
            dir -> setIfAbsent(EngineSettings.CACHE_DIR_KEY, dir.toAbsolutePath().toString()));
    if (settings.intraOpThreads() > 0) {
      setIfAbsent(INTRA_OP, Integer.toString(settings.intraOpThreads()));
    }
    if (settings.interOpThreads() > 0) {
      setIfAbsent(INTER_OP, Integer.toString(settings.interOpThreads()));
    }
    Engine engine = Engine.getEngine(ENGINE_NAME);
    if (settings.intraOpThreads() > 0 && JniUtils.getNumThreads() != settings.intraOpThreads()) {
      // The engine was loaded earlier with another count; intra-op threads can still change.
      JniUtils.setNumThreads(settings.intraOpThreads());
    }
    if (settings.interOpThreads() > 0
        && JniUtils.getNumInteropThreads() != settings.interOpThreads()) {
      LOG.warn(
          "libtorch already runs {} inter-op threads; {} requested too late (set it before the"
              + " engine loads)",
          JniUtils.getNumInteropThreads(),
          settings.interOpThreads());
    }
    return new TorchEngine(engine);
  }

  public Engine engine() {
    return engine;
  }

  public int intraOpThreads() {
    return JniUtils.getNumThreads();
  }

  public int interOpThreads() {
    return JniUtils.getNumInteropThreads();
  }

  public int gpuCount() {
    return engine.getGpuCount();
  }

  /** The device {@code text} names, checked against the GPUs this engine sees. */
  public Device device(String text) {
    return DeviceChoice.requireAvailable(DeviceChoice.parse(text), gpuCount());
  }

  /** libtorch version and build, e.g. for a run's log header. */
  public String describe() {
    return engine.getEngineName() + " " + engine.getVersion();
  }

  private static void setIfAbsent(String key, String value) {
    String old = System.getProperty(key);
    if (old == null) {
      System.setProperty(key, value);
    } else if (!old.equals(value)) {
      LOG.warn("{} is already {}, keeping it (requested {})", key, old, value);
    }
  }
}
