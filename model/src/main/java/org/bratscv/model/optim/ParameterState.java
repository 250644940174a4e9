package org.bratscv.model.optim;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an optimizer keeps for one parameter: its own update count and named buffers (moments,
 * Lookahead slow weights), in a fixed order so a checkpoint lists them the same way every time.
 */
public final class ParameterState implements AutoCloseable {

  private long step;
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();

  public long step() {
    return step;
  }

  void setStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    this.step = step;
  }

  long advance() {
    return ++step;
  }

  public NDArray buffer(String name) {
    NDArray b = buffers.get(name);
    if (b == null) {
      throw new IllegalStateException("optimizer state has no buffer '" + name + "'");
    }
    return b;
  }

  /** The buffers by name, in creation order (read-only view). */
  public Map<String, NDArray> buffers() {
    return java.util.Collections.unmodifiableMap(buffers);
  }

  void put(String name, NDArray array) {
    NDArray old = buffers.put(name, array);
    if (old != null && old != array) {
      old.close();
    }
  }

  @Override
  public void close() {
    for (NDArray b : buffers.values()) {
      b.close();
    }
    buffers.clear();
  }
}
