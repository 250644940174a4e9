package org.bratscv.model.optim;

/**
 * Dynamic loss scaling for float16 training, the logic of {@code torch.cuda.amp.GradScaler}: the
 * loss is multiplied by {@link #scale()} before the backward pass so that small float16 gradients
 * do not flush to zero; the gradients are multiplied by {@link #unscaleFactor()} before the
 * optimizer step; a step whose gradients hold an infinity or NaN is skipped and the scale halved;
 * after {@code growthInterval} finite steps in a row the scale doubles (unless that would overflow
 * to infinity). Defaults as torch: scale 2^16, growth 2 every 2000 finite steps, backoff 0.5.
 *
 * <p>Pure state, no tensors: the caller reduces the gradients to one "all finite" flag. Not wired
 * into training: DJL 0.36 records no gradient through a dtype cast ({@code NDArray.toType} leaves
 * the result without a {@code grad_fn}; {@code HalfPrecisionTrainingTest} pins it), so float32
 * master weights cannot receive the gradients of their float16 copies, nor can the soft Dice loss
 * or the norms be computed in float32 from float16 activations; see README, "Precision".
 */
public final class DynamicLossScale {
  public static final double DEFAULT_INITIAL = 65536;
  public static final double DEFAULT_GROWTH = 2;
  public static final double DEFAULT_BACKOFF = 0.5;
  public static final int DEFAULT_INTERVAL = 2000;

  /** What a checkpoint keeps: the scale and the finite steps since it last changed. */
  public record State(double scale, int goodSteps) {}

  private final double growth;
  private final double backoff;
  private final int interval;
  private double scale;
  private int goodSteps;

  /** torch's defaults. */
  public DynamicLossScale() {
    this(DEFAULT_INITIAL, DEFAULT_GROWTH, DEFAULT_BACKOFF, DEFAULT_INTERVAL);
  }

  public DynamicLossScale(double initial, double growth, double backoff, int interval) {
    if (!(initial > 0) || Double.isInfinite(initial)) {
      throw new IllegalArgumentException("initial loss scale must be finite and > 0: " + initial);
    }
    if (!(growth > 1) || !(backoff > 0 && backoff < 1) || interval < 1) {
      throw new IllegalArgumentException(
          "need growth > 1, 0 < backoff < 1, interval >= 1; got "
              + growth
              + ", "
              + backoff
              + ", "
              + interval);
    }
    this.scale = initial;
    this.growth = growth;
    this.backoff = backoff;
    this.interval = interval;
  }

  /** The factor the loss is multiplied by before the backward pass. */
  public double scale() {
    return scale;
  }

  /** The factor the gradients are multiplied by before the optimizer step: {@code 1 / scale}. */
  public double unscaleFactor() {
    return 1 / scale;
  }

  /**
   * Ends one step: with finite gradients the step is taken (true) and counts towards growth; with
   * an infinity or NaN anywhere it is skipped (false), the scale backs off and the count restarts.
   */
  public boolean update(boolean gradientsFinite) {
    if (!gradientsFinite) {
      scale *= backoff;
      goodSteps = 0;
      return false;
    }
    goodSteps++;
    if (goodSteps == interval) {
      double grown = scale * growth;
      if (Double.isFinite(grown)) {
        scale = grown;
      }
      goodSteps = 0;
    }
    return true;
  }

  /** True when every value is finite: the flag {@link #update} takes, for one gradient. */
  public static boolean allFinite(float[] gradient) {
    for (float g : gradient) {
      if (!Float.isFinite(g)) {
        return false;
      }
    }
    return true;
  }

  public State state() {
    return new State(scale, goodSteps);
  }

  /** Continues from a checkpoint's state. */
  public void restore(State s) {
    if (!(s.scale() > 0) || Double.isInfinite(s.scale()) || s.goodSteps() < 0) {
      throw new IllegalArgumentException("not a loss-scale state: " + s);
    }
    scale = s.scale();
    goodSteps = s.goodSteps() % interval;
  }
}
