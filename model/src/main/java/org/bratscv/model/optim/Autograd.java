package org.bratscv.model.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording for the PyTorch engine, per thread.
 *
 * <p>DJL's {@code PtGradientCollector} guards itself with a JVM-wide flag, so two Spark tasks in
 * one executor JVM could not train at the same time. libtorch's grad mode is thread-local, so this
 * class switches it for the calling thread only and runs backward directly. Every array passed in
 * must come from the PyTorch engine.
 */
public final class Autograd implements AutoCloseable {

  private final boolean previous;

  private Autograd(boolean enabled) {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(enabled);
  }

  /** Turns gradient recording on for this thread until {@link #close()}. */
  public static Autograd recording() {
    return new Autograd(true);
  }

  /** Turns gradient recording off for this thread until {@link #close()} (updates, inference). */
  public static Autograd paused() {
    return new Autograd(false);
  }

  /**
   * Whether this thread records gradients now: libtorch's grad mode, which is on by default in
   * every new thread and off inside {@link #paused()}.
   */
  public static boolean isRecording() {
    return JniUtils.isGradMode();
  }

  /** Back-propagates the scalar {@code loss} into the gradients of every leaf that needs one. */
  public static void backward(NDArray loss) {
    if (loss.getShape().size() != 1) {
      throw new IllegalArgumentException("backward needs a scalar loss, got " + loss.getShape());
    }
    try (NDArray seed = loss.onesLike()) {
      JniUtils.backward(pt(loss), pt(seed), false, false);
    }
  }

  /** Resets the accumulated gradient of {@code weight} (libtorch accumulates across backwards). */
  public static void zeroGradient(NDArray weight) {
    JniUtils.zeroGrad(pt(weight));
  }

  private static PtNDArray pt(NDArray array) {
    if (array instanceof PtNDArray p) {
      return p;
    }
    throw new IllegalArgumentException(
        "training needs the PyTorch engine, got an array of " + array.getClass().getName());
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
