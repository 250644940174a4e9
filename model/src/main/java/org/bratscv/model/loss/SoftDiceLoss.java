package org.bratscv.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.loss.Loss;
import org.bratscv.model.engine.GraphScalars;

/**
 * The method's soft Dice loss, one term per output channel (ET, TC, WT), averaged over channels.
 *
 * <p>What the network emits is explicit ({@link Input}): with {@link Input#PROBABILITIES} the
 * sigmoid is part of the network and the loss takes its output as S; with {@link Input#LOGITS} the
 * loss applies the sigmoid first (as the reference implementation's loss does, and as this
 * project's EquiUnet expects). Inputs have shape (N, C, D, H, W); by default the sums run over the
 * batch and all spatial axes together ("batch-wise", {@link Reduction#BATCH}), giving for channel c
 * with probabilities S and reference R:
 *
 * <ul>
 *   <li>{@link Denominator#SQUARES} (pipeline A): {@code 1 - (2 sum(S*R) + s) / (sum(S^2) +
 *       sum(R^2) + s)}
 *   <li>{@link Denominator#SUMS} (pipeline B): {@code 1 - (2 sum(S*R) + s) / (sum(S) + sum(R) + s)}
 * </ul>
 *
 * with smoothing {@code s} = 1 by default. The returned loss is the mean of the channel terms. With
 * {@link Reduction#SAMPLE} each sample of the batch gets its own term per channel, and the terms
 * are averaged over the batch.
 */
public final class SoftDiceLoss extends Loss {

  /** The denominator of the soft Dice term. */
  public enum Denominator {
    /** Sum of squares (pipeline A). */
    SQUARES,
    /** Plain sums (pipeline B). */
    SUMS
  }

  /** Over what the sums of a Dice term run. */
  public enum Reduction {
    /** The batch and the spatial axes together: the method's. At batch 1 it is {@link #SAMPLE}. */
    BATCH,
    /**
     * Each sample on its own, the terms averaged over the batch: a case with a small tumour weighs
     * as much as one with a large tumour, as in the per-case Dice that evaluation reports, where
     * batch-wise sums let the larger one's voxels outweigh it.
     */
    SAMPLE
  }

  /** What the network's output holds. */
  public enum Input {
    /** Probabilities: the sigmoid is the network's last layer. */
    PROBABILITIES,
    /** Logits: the loss (and inference) apply the sigmoid. */
    LOGITS
  }

  /** The smoothing term of the method. */
  public static final double DEFAULT_SMOOTH = 1.0;

  private final Denominator denominator;
  private final Input input;
  private final double smooth;
  private final Reduction reduction;

  public SoftDiceLoss(Denominator denominator, Input input) {
    this(denominator, input, DEFAULT_SMOOTH);
  }

  public SoftDiceLoss(Denominator denominator, Input input, double smooth) {
    this(denominator, input, smooth, Reduction.BATCH);
  }

  public SoftDiceLoss(Denominator denominator, Input input, double smooth, Reduction reduction) {
    super("soft_dice_" + denominator.name().toLowerCase(java.util.Locale.ROOT));
    if (!(smooth >= 0) || Double.isInfinite(smooth)) {
      throw new IllegalArgumentException("smooth must be finite and >= 0, got " + smooth);
    }
    if (reduction == null) {
      throw new IllegalArgumentException("reduction is required");
    }
    this.denominator = denominator;
    this.input = input;
    this.smooth = smooth;
    this.reduction = reduction;
  }

  public Input input() {
    return input;
  }

  /** The network output as probabilities (the sigmoid applied for {@link Input#LOGITS}). */
  public NDArray probabilities(NDArray output) {
    return input == Input.LOGITS ? Activation.sigmoid(output) : output;
  }

  public Denominator denominator() {
    return denominator;
  }

  public double smooth() {
    return smooth;
  }

  public Reduction reduction() {
    return reduction;
  }

  /**
   * The loss of each channel, shape (C): {@code 1 - dice_c} ({@link Reduction#SAMPLE}: averaged
   * over the samples). Results live in the manager of {@code output} (keep it a per-step manager).
   */
  public NDArray perChannel(NDArray output, NDArray target) {
    NDArray probabilities = probabilities(output);
    if (!probabilities.getShape().equals(target.getShape())) {
      throw new IllegalArgumentException(
          "soft Dice: prediction has shape "
              + probabilities.getShape()
              + " but target has shape "
              + target.getShape());
    }
    int rank = probabilities.getShape().dimension();
    if (rank < 2) {
      throw new IllegalArgumentException(
          "soft Dice: expected (N, C, ...) input, got shape " + probabilities.getShape());
    }
    boolean perSample = reduction == Reduction.SAMPLE;
    // batch-wise: the batch axis and the spatial ones; per sample: the spatial ones alone
    int[] axes = new int[perSample ? rank - 2 : rank - 1];
    int next = 0;
    if (!perSample) {
      axes[next++] = 0;
    }
    for (int a = 2; a < rank; a++) {
      axes[next++] = a;
    }
    NDArray intersection = sum(probabilities.mul(target), axes);
    NDArray denominatorSum =
        switch (denominator) {
          case SQUARES -> sum(probabilities.square(), axes).add(sum(target.square(), axes));
          case SUMS -> sum(probabilities, axes).add(sum(target, axes));
        };
    // mul(Number) would hand autograd a tensor over a freed Java buffer: see GraphScalars
    NDArray dice = GraphScalars.mul(intersection, 2).add(smooth).div(denominatorSum.add(smooth));
    NDArray perTerm = dice.neg().add(1);
    return perSample ? perTerm.mean(new int[] {0}) : perTerm;
  }

  /** {@code a} summed over {@code axes}; itself where there are none (per sample, shape (N, C)). */
  private static NDArray sum(NDArray a, int[] axes) {
    return axes.length == 0 ? a : a.sum(axes);
  }

  /** The loss averaged over channels, a scalar. */
  public NDArray loss(NDArray output, NDArray target) {
    return perChannel(output, target).mean();
  }

  /**
   * DJL entry point: {@code labels} holds the target, {@code predictions} the network output (only
   * the first array of each list is used).
   */
  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return loss(predictions.head(), labels.head());
  }

  @Override
  public String toString() {
    return "SoftDiceLoss["
        + denominator
        + ", "
        + input
        + ", smooth="
        + smooth
        + (reduction == Reduction.BATCH ? "" : ", " + reduction)
        + "]";
  }
}
