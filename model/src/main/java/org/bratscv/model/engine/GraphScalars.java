package org.bratscv.model.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Constants for arithmetic that autograd records. DJL's {@code NDArray.mul(Number)} (and {@code
 * div}, {@code pow}, {@code maximum}, {@code minimum}, {@code rdiv}) wraps the number in a tensor
 * that borrows a Java direct buffer, uses it, and closes it at once. On the CPU the tensor is a
 * view of that buffer, not a copy; when autograd saves the operand for the backward pass (as mul,
 * div and pow do), the buffer becomes garbage while the graph still points at it, and a garbage
 * collection between forward and backward lets the JVM free and reuse that memory: the gradient
 * silently comes from whatever lands there. It showed as training runs that differed bit for bit
 * only when another thread allocated at the same time (two folds in one executor).
 *
 * <p>The scalars made here are allocated by libtorch (a {@code full} op), so the graph owns them;
 * they live in the manager of the array they go with and close with it.
 */
public final class GraphScalars {
  private GraphScalars() {}

  /**
   * A 0-dimensional libtorch-owned tensor holding {@code value}, typed and placed like {@code
   * like}.
   */
  public static NDArray of(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, like.getDataType(), like.getDevice());
  }

  /** {@code a * value}, safe to differentiate. */
  public static NDArray mul(NDArray a, double value) {
    return a.mul(of(a, value));
  }
}
