package org.bratscv.jobs.stages;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.config.NetworkSettings;
import org.bratscv.jobs.io.HadoopCheckpointStore;
import org.bratscv.jobs.run.ModelPackage;
import org.bratscv.model.infer.Precision;
import org.bratscv.model.interop.ReferenceStateDict;
import org.bratscv.model.interop.SafeTensors;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.HalfPrecision;
import org.bratscv.model.train.FoldTrainer;
import org.bratscv.model.train.checkpoint.Checkpoints;

/**
 * The trained networks an executor has loaded, kept for the executor's lifetime so that every
 * inference task on it reuses them instead of reading the weights again. This is the one piece of
 * JVM-wide mutable state in brats-cv, on purpose: an executor JVM runs many tasks. Bounded (least
 * recently used networks are closed once their weights pass {@link #BUDGET_BYTES}: a byte bound,
 * since a width-48 network weighs 64 times a width-6 one); loading is synchronised per JVM.
 */
final class LoadedModels {
  /**
   * Bytes of weights kept loaded: two paper ensembles (2 pipelines x 5 folds of width 48 with the
   * deep-supervision heads, 23.2 million parameters or 93 MB each in float32: 0.93 GB an ensemble),
   * so that a case never reloads its members. Counted in the executor's memory overhead (README,
   * Memory).
   */
  static final long BUDGET_BYTES = 2L << 30;

  // Precision is part of the key: a float16 network is cast in place and must never serve a
  // float32 ensemble (or the reverse).
  private record Key(
      String checkpointDir, String device, NetworkSettings network, Precision precision) {}

  private record Loaded(EquiUnet net, NDManager manager) {}

  private static final ByteBoundedLru<Key, Loaded> CACHE =
      new ByteBoundedLru<>(BUDGET_BYTES, l -> parameterBytes(l.net()), l -> l.manager().close());

  private LoadedModels() {}

  /**
   * The network of {@code taskDir}'s final weights on {@code device}, loaded on first use. The
   * checkpoint's checksums are verified, so a corrupted file is an error, never a silent load. A
   * {@code taskDir} that names a package member's {@code .safetensors} (in a folder or a zip, see
   * {@link ModelPackage}) is read as the reference's state dict instead.
   */
  static EquiUnet get(FileSystem fs, Path taskDir, NetworkSettings network, Device device)
      throws IOException {
    return get(fs, taskDir, network, device, Precision.FP32);
  }

  /**
   * As {@link #get(FileSystem, Path, NetworkSettings, Device)}, in {@code precision}: with {@link
   * Precision#FP16} the weights are cast to float16 once, at load ({@link HalfPrecision}).
   */
  static synchronized EquiUnet get(
      FileSystem fs, Path taskDir, NetworkSettings network, Device device, Precision precision)
      throws IOException {
    Key key = new Key(taskDir.toString(), device.toString(), network, precision);
    Loaded l = CACHE.get(key);
    if (l != null) {
      return l.net();
    }
    NDManager manager = NDManager.newBaseManager(device);
    try {
      EquiUnet net = load(fs, taskDir, network, manager);
      if (precision == Precision.FP16) {
        HalfPrecision.cast(net);
      }
      CACHE.put(key, new Loaded(net, manager));
      return net;
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Bytes of a network's parameters in their current data types. */
  static long parameterBytes(EquiUnet net) {
    long bytes = 0;
    for (Pair<String, Parameter> p : net.getParameters()) {
      NDArray a = p.getValue().getArray();
      bytes += a.size() * a.getDataType().getNumOfBytes();
    }
    return bytes;
  }

  /** A fresh, uncached network with the weights at {@code taskDir}, on {@code manager}. */
  static EquiUnet load(FileSystem fs, Path taskDir, NetworkSettings network, NDManager manager)
      throws IOException {
    EquiUnet net = network.build();
    net.initialize(manager, 0);
    String location = taskDir.toString();
    if (ModelPackage.isWeightsLocation(location)) {
      try (InputStream in = ModelPackage.open(fs, location)) {
        ReferenceStateDict.load(net, SafeTensors.read(in, location).tensors(), location);
      }
    } else {
      new Checkpoints(new HadoopCheckpointStore(fs, taskDir))
          .loadWeights(FoldTrainer.FINAL, net.getParameters());
    }
    return net;
  }
}
