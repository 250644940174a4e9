package org.bratscv.model.train;

import org.bratscv.model.optim.Ranger;
import org.bratscv.model.optim.StatefulOptimizer;
import org.bratscv.model.optim.TorchAdam;

/**
 * Which optimizer a training phase uses, with all its hyper-parameters. Lookahead and rectification
 * settings only matter for {@link Kind#RANGER}.
 */
public record OptimizerConfig(
    Kind kind,
    double learningRate,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    double lookaheadAlpha,
    int lookaheadK,
    double rectificationThreshold)
    implements java.io.Serializable {

  /** The optimizers this project implements. */
  public enum Kind {
    RANGER,
    ADAM
  }

  /** Ranger with its usual defaults: betas 0.95/0.999, eps 1e-5, alpha 0.5, k 6, threshold 5. */
  public static OptimizerConfig ranger(double learningRate) {
    return new OptimizerConfig(Kind.RANGER, learningRate, 0.95, 0.999, 1e-5, 0, 0.5, 6, 5);
  }

  /** torch Adam with betas 0.9/0.999, the given eps and no weight decay. */
  public static OptimizerConfig adam(double learningRate, double eps) {
    return new OptimizerConfig(Kind.ADAM, learningRate, 0.9, 0.999, eps, 0, 0.5, 6, 5);
  }

  /** A fresh optimizer (no state) with these settings. */
  public StatefulOptimizer create() {
    return switch (kind) {
      case RANGER ->
          Ranger.builder()
              .optLearningRate(learningRate)
              .optBetas(beta1, beta2)
              .optEpsilon(eps)
              .optLookahead(lookaheadAlpha, lookaheadK)
              .optRectificationThreshold(rectificationThreshold)
              .optWeightDecays((float) weightDecay)
              .build();
      case ADAM ->
          TorchAdam.builder()
              .optLearningRate(learningRate)
              .optBetas(beta1, beta2)
              .optEpsilon(eps)
              .optWeightDecays((float) weightDecay)
              .build();
    };
  }
}
