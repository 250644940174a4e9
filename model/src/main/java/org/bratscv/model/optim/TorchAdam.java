package org.bratscv.model.optim;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam exactly as {@code torch.optim.Adam} computes it (no AMSGrad, L2 weight decay added to the
 * gradient):
 *
 * <pre>
 * g = grad + wd * p
 * m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * <p>DJL's own {@code Adam} differs: it folds the bias corrections into the rate and adds {@code
 * eps} to the uncorrected {@code sqrt(v)}, which is a different optimizer early in training when
 * eps is as large as pipeline B's 1e-4; its state is also private, so it cannot be checkpointed.
 */
public final class TorchAdam extends StatefulOptimizer {

  private static final List<String> BUFFERS = List.of("exp_avg", "exp_avg_sq");

  private final double beta1;
  private final double beta2;
  private final double eps;

  private TorchAdam(Builder b) {
    super(b, b.learningRate);
    this.beta1 = b.beta1;
    this.beta2 = b.beta2;
    this.eps = b.eps;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String kind() {
    return "adam";
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
    return m;
  }

  @Override
  protected void apply(ParameterState state, long step, NDArray weight, NDArray grad) {
    double lr = learningRate();
    double wd = weightDecay();
    NDArray g = wd != 0 ? grad.add(weight.mul(wd)) : grad;
    NDArray expAvg = state.buffer("exp_avg");
    NDArray expAvgSq = state.buffer("exp_avg_sq");
    expAvg.muli(beta1).addi(g.mul(1 - beta1));
    expAvgSq.muli(beta2).addi(g.mul(g).muli(1 - beta2));
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2 = 1 - Math.pow(beta2, step);
    double stepSize = lr / biasCorrection1;
    NDArray denom = expAvgSq.sqrt().divi(Math.sqrt(biasCorrection2)).addi(eps);
    weight.subi(expAvg.mul(stepSize).divi(denom));
  }

  @Override
  public String toString() {
    return "TorchAdam[lr="
        + learningRate()
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

  /** Builder; defaults are torch's: lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private double learningRate = 1e-3;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;

    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    public Builder optLearningRate(double learningRate) {
      this.learningRate = learningRate;
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

    public TorchAdam build() {
      if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException(
            "Adam betas must lie in [0, 1), got " + beta1 + ", " + beta2);
      }
      if (!(eps > 0)) {
        throw new IllegalArgumentException("Adam eps must be > 0, got " + eps);
      }
      return new TorchAdam(this);
    }
  }
}
