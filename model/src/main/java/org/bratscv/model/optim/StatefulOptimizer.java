package org.bratscv.model.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.optimizer.Optimizer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of this project's DJL optimizers: per-parameter state that can be read out and restored (for
 * checkpoints and exact resume), and a learning rate that the epoch schedule sets directly.
 *
 * <p>Callers must pass a <b>stable</b> parameter name as {@code parameterId} (the block's parameter
 * path, e.g. {@code 01Conv3d_weight}), not {@code Parameter.getId()}, which is a fresh UUID in
 * every JVM: the name keys the state in checkpoints. Temporaries of each update are closed when it
 * ends; the buffers live in the weight's manager until {@link #reset()} or {@link #close()}.
 */
public abstract class StatefulOptimizer extends Optimizer implements AutoCloseable {

  private final Map<String, ParameterState> states = new LinkedHashMap<>();
  private double learningRate;

  protected StatefulOptimizer(OptimizerBuilder<?> builder, double learningRate) {
    super(builder);
    setLearningRate(learningRate);
  }

  /** Short name written into checkpoints ({@code ranger}, {@code adam}). */
  public abstract String kind();

  /** Names of the per-parameter buffers, in the order {@link #initialBuffers} creates them. */
  public abstract List<String> bufferNames();

  /** The buffers of a parameter seen for the first time, in {@link #bufferNames()} order. */
  protected abstract Map<String, NDArray> initialBuffers(NDArray weight);

  /**
   * Applies update number {@code step} (1-based) of one parameter in place. Runs with gradient
   * recording off; arrays it creates are closed afterwards.
   */
  protected abstract void apply(ParameterState state, long step, NDArray weight, NDArray grad);

  public double learningRate() {
    return learningRate;
  }

  /** Sets the learning rate of the following updates (called by the schedule each epoch). */
  public void setLearningRate(double learningRate) {
    if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException(
          "learning rate must be finite and >= 0, got " + learningRate);
    }
    this.learningRate = learningRate;
  }

  @Override
  public final void update(String parameterId, NDArray weight, NDArray grad) {
    ParameterState state = states.get(parameterId);
    if (state == null) {
      state = new ParameterState();
      for (Map.Entry<String, NDArray> e : initialBuffers(weight).entrySet()) {
        // an enclosing NDScope of the caller must not close long-lived state
        NDScope.unregister(e.getValue());
        state.put(e.getKey(), e.getValue());
      }
      states.put(parameterId, state);
    }
    long step = state.advance();
    try (NDScope scope = new NDScope();
        Autograd paused = Autograd.paused()) {
      NDArray g = grad;
      if (rescaleGrad != 1f) {
        g = g.mul(rescaleGrad);
      }
      if (clipGrad > 0) {
        g = g.clip(-clipGrad, clipGrad);
      }
      apply(state, step, weight, g);
    }
  }

  /** Weight decay set on the builder. */
  protected double weightDecay() {
    return getWeightDecay();
  }

  /** The state of every parameter updated so far, by name, in first-update order (read-only). */
  public Map<String, ParameterState> states() {
    return Collections.unmodifiableMap(states);
  }

  /**
   * Restores one parameter's state from a checkpoint: its update count and the buffers (flat float
   * data, one per {@link #bufferNames()}, each the size of {@code weight}), created next to {@code
   * weight}.
   */
  public void restore(String parameterName, NDArray weight, long step, Map<String, float[]> data) {
    if (!data.keySet().equals(new java.util.LinkedHashSet<>(bufferNames()))) {
      throw new IllegalArgumentException(
          kind()
              + " state of parameter "
              + parameterName
              + " has buffers "
              + data.keySet()
              + ", expected "
              + bufferNames());
    }
    ParameterState state = new ParameterState();
    state.setStep(step);
    long size = weight.getShape().size();
    for (String name : bufferNames()) {
      float[] values = data.get(name);
      if (values.length != size) {
        state.close();
        throw new IllegalArgumentException(
            kind()
                + " state of parameter "
                + parameterName
                + ": buffer "
                + name
                + " has "
                + values.length
                + " values but the parameter has shape "
                + weight.getShape());
      }
      NDArray array = weight.getManager().create(values, weight.getShape());
      NDScope.unregister(array);
      state.put(name, array);
    }
    ParameterState old = states.put(parameterName, state);
    if (old != null) {
      old.close();
    }
  }

  /** Forgets all state (a fresh optimizer for the next SWA cycle, say); the rate is kept. */
  public void reset() {
    for (ParameterState s : states.values()) {
      s.close();
    }
    states.clear();
  }

  @Override
  public void close() {
    reset();
  }
}
