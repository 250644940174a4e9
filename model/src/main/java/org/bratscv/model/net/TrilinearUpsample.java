package org.bratscv.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Trilinear upsampling of an (N, C, D, H, W) tensor by an integer factor with {@code
 * align_corners=true}, as {@code torch.nn.Upsample(scale_factor=s, mode="trilinear",
 * align_corners=True)}: output voxel {@code i} of an axis of length {@code n} reads input position
 * {@code i * (n - 1) / (s*n - 1)}.
 *
 * <p>DJL 0.36 cannot do this (its interpolation ignores align_corners and 5-D trilinear aborts), so
 * the block applies the separable 1-D interpolation as three matrix products with constant {@code
 * (s*n x n)} matrices along W, H and D. That is exact up to float rounding, differentiable, and
 * works in float16. The matrices are a few kB and built per call on the input's manager, device and
 * data type, so the block holds no state and a closed manager never leaves a stale cache.
 */
public final class TrilinearUpsample extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int scale;

  private TrilinearUpsample(Builder builder) {
    super(VERSION);
    this.scale = builder.scale;
  }

  public int scale() {
    return scale;
  }

  /**
   * The {@code (scale*n) x n} row-major interpolation matrix along one axis: row {@code i} holds
   * the weights {@code 1 - t} and {@code t} of the two input samples around position {@code i *
   * (n-1) / (scale*n - 1)}.
   */
  public static float[] interpolationMatrix(int n, int scale) {
    int out = n * scale;
    float[] m = new float[out * n];
    for (int i = 0; i < out; i++) {
      // Exact rational position: i*(n-1)/(out-1) = whole + frac/(out-1).
      long num = (long) i * (n - 1);
      long den = Math.max(out - 1, 1);
      int i0 = (int) (num / den);
      double t = (double) (num % den) / den;
      int i1 = Math.min(i0 + 1, n - 1);
      m[i * n + i0] += (float) (1 - t);
      m[i * n + i1] += (float) t;
    }
    return m;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    if (s.dimension() != 5) {
      throw new IllegalArgumentException(
          "trilinear upsampling needs an (N, C, D, H, W) input, got " + s);
    }
    long n = s.get(0);
    long c = s.get(1);
    int d = (int) s.get(2);
    int h = (int) s.get(3);
    int w = (int) s.get(4);
    NDManager m = x.getManager();
    if (ChannelsLast.active(x.getDevice())) {
      // (N,D,H,W,C): W by (sW, W) x (..., W, C), then H and D with the rest folded into columns
      NDArray v = matrix(m, x, w).matMul(ChannelsLast.ndhwc(x));
      v = matrix(m, x, h).matMul(v.reshape(n, d, h, (long) scale * w * c));
      v = matrix(m, x, d).matMul(v.reshape(n, d, (long) scale * h * scale * w * c));
      return new NDList(
          ChannelsLast.fromNdhwc(
              v.reshape(n, (long) scale * d, (long) scale * h, (long) scale * w, c)));
    }
    // W: (N,C,D,H,W) x (W, sW) -> (N,C,D,H,sW)
    NDArray y = x.matMul(matrix(m, x, w).transpose());
    // H: (sH, H) x (N,C,D,H,sW) -> (N,C,D,sH,sW), the matrix broadcast over the leading axes
    y = matrix(m, x, h).matMul(y);
    // D: (sD, D) x (N,C,D,sH*sW) -> (N,C,sD,sH*sW)
    y = matrix(m, x, d).matMul(y.reshape(n, c, d, (long) scale * h * scale * w));
    return new NDList(y.reshape(n, c, (long) scale * d, (long) scale * h, (long) scale * w));
  }

  private NDArray matrix(NDManager m, NDArray like, int size) {
    NDArray a =
        m.create(interpolationMatrix(size, scale), new Shape((long) size * scale, size))
            .toDevice(like.getDevice(), false);
    return like.getDataType() == a.getDataType() ? a : a.toType(like.getDataType(), false);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {
      new Shape(s.get(0), s.get(1), s.get(2) * scale, s.get(3) * scale, s.get(4) * scale)
    };
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link TrilinearUpsample}: {@code setScale} (2, 4 or 8 in EquiUnet) required. */
  public static final class Builder {
    private int scale;

    private Builder() {}

    public Builder setScale(int scale) {
      this.scale = scale;
      return this;
    }

    public TrilinearUpsample build() {
      if (scale < 1) {
        throw new IllegalArgumentException("upsampling scale must be >= 1, got " + scale);
      }
      return new TrilinearUpsample(this);
    }
  }
}
