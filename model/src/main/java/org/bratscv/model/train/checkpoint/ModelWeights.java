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
    TensorBundle.Reader reader = new TensorBundle.Reader(in, source);
    try (Autograd paused = Autograd.paused()) {
      for (TensorBundle.Tensor t = reader.next(); t != null; t = reader.next()) {
        Parameter p = byName.remove(t.name());
        if (p == null) {
          throw new IOException(
              source
                  + ": parameter "
                  + t.name()
                  + " is not in the network (another architecture?)");
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
      throw new IOException(source + ": missing parameters " + byName.keySet());
    }
  }

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
