package org.bratscv.model.train.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bratscv.model.net.Cbam;
import org.bratscv.model.optim.Autograd;

/**
 * Saves and loads a block's parameters as a {@link TensorBundle}, keyed by the block's parameter
 * names. Loading writes into the existing arrays in place, so the parameters keep their device,
 * gradient and identity (optimizer state stays attached).
 */
public final class ModelWeights {

  private ModelWeights() {}

  /** Writes every parameter of {@code params} (float32, initialized) to {@code out}. */
  public static void write(ParameterList params, OutputStream out) throws IOException {
    try (TensorBundle.Writer w = new TensorBundle.Writer(out)) {
      for (Pair<String, Parameter> p : params) {
        NDArray a = array(p);
        w.write(p.getKey(), a.getShape().getShape(), a.toFloatArray());
      }
    }
  }

  /**
   * Reads tensors written by {@link #write} into {@code params}. Every parameter must be present
   * with its exact shape and nothing else may be in the file; {@code source} names the file in
   * errors.
   */
  public static void read(InputStream in, ParameterList params, String source) throws IOException {
    Map<String, Parameter> byName = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : params) {
      array(p);
      byName.put(p.getKey(), p.getValue());
    }
    Set<String> names = Set.copyOf(byName.keySet());
    TensorBundle.Reader reader = new TensorBundle.Reader(in, source);
    try (Autograd paused = Autograd.paused()) {
      for (TensorBundle.Tensor t = reader.next(); t != null; t = reader.next()) {
        Parameter p = byName.remove(t.name());
        if (p == null) {
          throw new IOException(
              source
                  + ": parameter "
                  + t.name()
                  + " is not in the network ("
                  + (isOldCbamMlp(t.name(), names) ? OLD_CBAM : "another architecture?")
                  + ")");
        }
        long[] expected = p.getArray().getShape().getShape();
        if (!Arrays.equals(expected, t.shape())) {
          throw new IOException(
              source
                  + ": parameter "
                  + t.name()
                  + " has shape "
                  + Arrays.toString(t.shape())
                  + " but the network expects "
                  + Arrays.toString(expected));
        }
        p.getArray().set(t.data());
      }
    }
    if (!byName.isEmpty()) {
      boolean cbam = byName.keySet().stream().anyMatch(n -> n.endsWith("_" + Cbam.CHANNEL_SHIFT));
      throw new IOException(
          source + ": missing parameters " + byName.keySet() + (cbam ? " (" + OLD_CBAM + ")" : ""));
    }
  }

  /**
   * Until brats-cv matched the reference's CBAM, its channel gate had a hidden width of at least 1
   * where the reference's {@code C / 16} is 0 (attention networks with levels below 16 channels):
   * such checkpoints have MLP weights where the network now holds one shift, and must not load.
   */
  private static final String OLD_CBAM =
      "an attention network saved before brats-cv matched the reference's CBAM, whose channel"
          + " gate has no hidden unit below 16 channels: this checkpoint cannot be loaded,"
          + " train the model again";

  /** Whether {@code name} is a CBAM MLP tensor where the network has a zero-width gate's shift. */
  private static boolean isOldCbamMlp(String name, Set<String> network) {
    Matcher m = CBAM_MLP.matcher(name);
    return m.matches() && network.contains(m.group(1) + "_" + Cbam.CHANNEL_SHIFT);
  }

  private static final Pattern CBAM_MLP = Pattern.compile("(.*)_\\d+mlp(In|Out)_.*");

  private static NDArray array(Pair<String, Parameter> p) {
    Parameter param = p.getValue();
    if (!param.isInitialized()) {
      throw new IllegalStateException("parameter " + p.getKey() + " is not initialized");
    }
    NDArray a = param.getArray();
    if (a.getDataType() != DataType.FLOAT32) {
      throw new IllegalStateException(
          "parameter " + p.getKey() + " is " + a.getDataType() + ", weights are stored as float32");
    }
    return a;
  }
}
