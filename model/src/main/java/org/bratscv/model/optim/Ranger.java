package org.bratscv.model.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ranger (Less Wright, 2019): RAdam inside Lookahead, following the reference {@code ranger.py}
 * step for step, without gradient centralization. For update t of a parameter p:
 *
 * <pre>
 * m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2          (g: gradient)
 * N_max = 2 / (1 - b2) - 1;   N_t = N_max - 2 t b2^t / (1 - b2^t)
 * if N_t &gt;= threshold:  step = sqrt((1-b2^t) (N_t-4)/(N_max-4) (N_t-2)/N_t N_max/(N_max-2)) / (1-b1^t)
 *                         p -= lr step m / (sqrt(v) + eps)
 * else:                   p -= lr m / (1 - b1^t)          (un-rectified: SGD with momentum)
 * every k-th update:      slow += alpha (p - slow);  p = slow
 * </pre>
 *
 * with weight decay (if any) applied first as {@code p -= wd lr p}. The slow weights start as a
 * copy of p before its first update.
 */
public final class Ranger extends StatefulOptimizer {

  private static final List<String> BUFFERS = List.of("exp_avg", "exp_avg_sq", "slow_buffer");

  private final double alpha;
  private final int k;
  private final double rectificationThreshold;
  private final double beta1;
  private final double beta2;
  private final double eps;

  private Ranger(Builder b) {
    super(b, b.learningRate);
    this.alpha = b.alpha;
    this.k = b.k;
    this.rectificationThreshold = b.rectificationThreshold;
    this.beta1 = b.beta1;
    this.beta2 = b.beta2;
    this.eps = b.eps;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String kind() {
    return "ranger";
  }

  @Override
  public List<String> bufferNames() {
    return BUFFERS;
  }

  @Override
  protected Map<String, NDArray> initialBuffers(NDArray weight) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    m.put("exp_avg", weight.zerosLike());
    m.put("exp_avg_sq", weight.zerosLike());
    m.put("slow_buffer", weight.duplicate());
    return m;
  }

  /** The RAdam length of the approximated simple moving average after {@code step} updates. */
  double smaLength(long step) {
    double beta2t = Math.pow(beta2, step);
    double nSmaMax = 2 / (1 - beta2) - 1;
    return nSmaMax - 2 * step * beta2t / (1 - beta2t);
  }

  @Override
  protected void apply(ParameterState state, long step, NDArray weight, NDArray grad) {
    double lr = learningRate();
    NDArray expAvg = state.buffer("exp_avg");
    NDArray expAvgSq = state.buffer("exp_avg_sq");
    expAvgSq.muli(beta2).addi(grad.mul(grad).muli(1 - beta2));
    expAvg.muli(beta1).addi(grad.mul(1 - beta1));

    double beta2t = Math.pow(beta2, step);
    double nSmaMax = 2 / (1 - beta2) - 1;
    double nSma = smaLength(step);
    boolean rectified = nSma >= rectificationThreshold;
    double stepSize;
    if (rectified) {
      stepSize =
          Math.sqrt(
                  (1 - beta2t)
                      * (nSma - 4)
                      / (nSmaMax - 4)
                      * (nSma - 2)
                      / nSma
                      * nSmaMax
                      / (nSmaMax - 2))
              / (1 - Math.pow(beta1, step));
    } else {
      stepSize = 1.0 / (1 - Math.pow(beta1, step));
    }
    double wd = weightDecay();
    if (wd != 0) {
      weight.subi(weight.mul(wd * lr));
    }
    if (rectified) {
      NDArray denom = expAvgSq.sqrt().addi(eps);
      weight.subi(expAvg.mul(stepSize * lr).divi(denom));
    } else {
      weight.subi(expAvg.mul(stepSize * lr));
    }
    if (step % k == 0) {
      NDArray slow = state.buffer("slow_buffer");
      slow.addi(weight.sub(slow).muli(alpha));
      // in-place copy on the weight's device; the weight keeps its identity and gradient
      weight.set(new NDIndex("..."), slow);
    }
  }

  @Override
  public String toString() {
    return "Ranger[lr="
        + learningRate()
        + ", alpha="
        + alpha
        + ", k="
        + k
        + ", threshold="
        + rectificationThreshold
        + ", betas=("
        + beta1
        + ", "
        + beta2
        + "), eps="
        + eps
        + ", weightDecay="
        + weightDecay()
        + "]";
  }

  /**
   * Builder; defaults are Ranger's: lr 1e-3 (the method uses 1e-4), Lookahead alpha 0.5 every k = 6
   * updates, rectification threshold 5, betas 0.95/0.999, eps 1e-5, no weight decay.
   */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private double learningRate = 1e-3;
    private double alpha = 0.5;
    private int k = 6;
    private double rectificationThreshold = 5;
    private double beta1 = 0.95;
    private double beta2 = 0.999;
    private double eps = 1e-5;

    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    public Builder optLearningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder optLookahead(double alpha, int k) {
      this.alpha = alpha;
      this.k = k;
      return this;
    }

    public Builder optRectificationThreshold(double threshold) {
      this.rectificationThreshold = threshold;
      return this;
    }

    public Builder optBetas(double beta1, double beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    public Builder optEpsilon(double eps) {
      this.eps = eps;
      return this;
    }

    public Ranger build() {
      if (!(alpha >= 0 && alpha <= 1)) {
        throw new IllegalArgumentException("Lookahead alpha must lie in [0, 1], got " + alpha);
      }
      if (k < 1) {
        throw new IllegalArgumentException("Lookahead k must be >= 1, got " + k);
      }
      if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException(
            "Ranger betas must lie in [0, 1), got " + beta1 + ", " + beta2);
      }
      if (!(eps > 0)) {
        throw new IllegalArgumentException("Ranger eps must be > 0, got " + eps);
      }
      return new Ranger(this);
    }
  }
}
