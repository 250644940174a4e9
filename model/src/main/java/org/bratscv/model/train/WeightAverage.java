package org.bratscv.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bratscv.model.optim.Autograd;

/**
 * The running mean of weight snapshots for stochastic weight averaging: one accumulator per
 * parameter, whatever the number of snapshots. After n snapshots each accumulator holds {@code
 * mean_n = mean_{n-1} (1 - 1/n) + w_n / n}, the update of the reference implementation.
 */
public final class WeightAverage implements AutoCloseable {

  private final Map<String, NDArray> means = new LinkedHashMap<>();
  private long count;

  /** Number of snapshots averaged so far. */
  public long count() {
    return count;
  }

  /** The accumulators by parameter name (read-only view). */
  public Map<String, NDArray> means() {
    return Collections.unmodifiableMap(means);
  }

  /** Adds the current values of {@code params} as one more snapshot. */
  public void add(ParameterList params) {
    long n = count + 1;
    try (Autograd paused = Autograd.paused()) {
      for (Pair<String, Parameter> p : params) {
        NDArray w = p.getValue().getArray();
        NDArray mean = means.get(p.getKey());
        if (mean == null) {
          if (count != 0) {
            throw new IllegalStateException(
                "parameter " + p.getKey() + " is new after " + count + " SWA snapshots");
          }
          NDArray copy = w.duplicate();
          copy.setRequiresGradient(false);
          NDScope.unregister(copy);
          means.put(p.getKey(), copy);
        } else {
          try (NDScope scope = new NDScope()) {
            double inv = 1.0 / n;
            mean.muli(1 - inv).addi(w.mul(inv));
          }
        }
      }
    }
    count = n;
  }

  /** Writes the average into {@code params} in place (their gradients and devices are kept). */
  public void copyTo(ParameterList params) {
    if (count == 0) {
      throw new IllegalStateException("no SWA snapshot to copy: the average is empty");
    }
    try (Autograd paused = Autograd.paused()) {
      for (Pair<String, Parameter> p : params) {
        NDArray mean = means.get(p.getKey());
        if (mean == null) {
          throw new IllegalStateException("the SWA average has no parameter " + p.getKey());
        }
        p.getValue().getArray().set(new NDIndex("..."), mean);
      }
    }
  }

  /**
   * Restores a checkpointed average: {@code values} maps parameter name to flat data; arrays are
   * created next to the parameters.
   */
  public void restore(long snapshots, Map<String, float[]> values, ParameterList params) {
    clear();
    if (snapshots == 0) {
      return;
    }
    for (Pair<String, Parameter> p : params) {
      float[] v = values.get(p.getKey());
      NDArray w = p.getValue().getArray();
      if (v == null || v.length != w.getShape().size()) {
        clear();
        throw new IllegalArgumentException(
            "SWA average: parameter "
                + p.getKey()
                + (v == null ? " is missing" : " has " + v.length + " values for " + w.getShape()));
      }
      NDArray a = w.getManager().create(v, w.getShape());
      NDScope.unregister(a);
      means.put(p.getKey(), a);
    }
    count = snapshots;
  }

  /** Drops all snapshots. */
  public void clear() {
    for (NDArray a : means.values()) {
      a.close();
    }
    means.clear();
    count = 0;
  }

  @Override
  public void close() {
    clear();
  }
}
