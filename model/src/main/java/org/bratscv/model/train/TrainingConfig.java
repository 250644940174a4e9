package org.bratscv.model.train;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bratscv.model.loss.SoftDiceLoss;

/**
 * Everything that defines how one fold of one pipeline variant is trained. {@link #pipelineA()} and
 * {@link #pipelineB()} hold the method's defaults (METHOD.md); the YAML config overrides fields.
 *
 * @param epochs main-phase epochs (SWA epochs come on top)
 * @param batchSize patches per step; the last incomplete batch of an epoch is dropped
 * @param patch training patch size (D, H, W)
 * @param inputChannels image channels (4 modalities)
 * @param regions output channels (ET, TC, WT)
 * @param dice soft Dice denominator (A: squares, B: sums)
 * @param networkOutput whether the network emits probabilities or logits (EquiUnet: logits)
 * @param optimizer main-phase optimizer
 * @param schedule main-phase learning-rate schedule
 * @param swa fast SWA after the main phase, or null for none
 * @param validateEvery validate after every k-th epoch (epochs k-1, 2k-1, ...)
 * @param finalWeights which weights the run returns
 * @param seed run seed (with the fold, the source of all randomness)
 * @param precision compute precision of training
 * @param sizeDivisor validation volumes are zero-padded to a multiple of this (three 2x poolings)
 * @param keepCheckpoints how many epoch checkpoints to keep (the newest ones)
 * @param outputPrior the probability the network's outputs start at: the output convolution's (and
 *     the deep-supervision heads') biases are set to its logit before the first step, as dense
 *     detectors do for rare classes; NaN keeps the reference's initialisation (the default)
 * @param diceReduction over what the soft Dice sums run: the batch and the voxels together (the
 *     method's, the default) or each sample on its own
 * @param outputPriorFit how the output prior is put in: as the biases' value (the default), or as
 *     each output channel's mean logit over the first training batch
 */
public record TrainingConfig(
    int epochs,
    int batchSize,
    PatchSize patch,
    int inputChannels,
    int regions,
    SoftDiceLoss.Denominator dice,
    SoftDiceLoss.Input networkOutput,
    OptimizerConfig optimizer,
    ScheduleConfig schedule,
    SwaConfig swa,
    int validateEvery,
    FinalWeights finalWeights,
    long seed,
    Precision precision,
    int sizeDivisor,
    int keepCheckpoints,
    double outputPrior,
    SoftDiceLoss.Reduction diceReduction,
    PriorFit outputPriorFit)
    implements java.io.Serializable {

  /** The seed of the public reference implementation, used as the default run seed. */
  public static final long DEFAULT_SEED = 16111990L;

  /** Training patch size in voxels, (D, H, W). */
  public record PatchSize(int depth, int height, int width) implements java.io.Serializable {
    public PatchSize {
      if (depth <= 0 || height <= 0 || width <= 0) {
        throw new IllegalArgumentException(
            "patch size must be positive, got " + depth + "x" + height + "x" + width);
      }
    }

    public static PatchSize cube(int n) {
      return new PatchSize(n, n, n);
    }
  }

  /** Which weights a finished run returns. */
  public enum FinalWeights {
    /** The weights after the last epoch. */
    LAST,
    /** The weights of the epoch with the lowest validation loss (pipeline B). */
    BEST_VALIDATION,
    /** The SWA average (pipeline A). */
    SWA_AVERAGE
  }

  /** How {@link #outputPrior} is put into the network before the first step. */
  public enum PriorFit {
    /** The output biases are set to the prior's logit; the weights' draw moves each channel. */
    BIAS,
    /**
     * Each output channel's bias is then shifted so that its mean logit over the first training
     * batch is the prior's logit: every channel starts at the prior, whatever its weights' draw.
     */
    FIRST_BATCH
  }

  /**
   * Compute precision. Only fp32 (TF32 on Ampere+ GPUs) is supported for training: bf16 aborts the
   * JVM in DJL 0.36, and mixed fp16 cannot be done safely: DJL 0.36 records no gradient through a
   * dtype cast ({@code NDArray.toType}), so float32 master weights get no gradient from their
   * float16 copies and the soft Dice sums and norm statistics cannot be taken in float32 from
   * float16 activations (pure fp16 sums overflow at 65504). {@link
   * org.bratscv.model.optim.DynamicLossScale} holds the loss-scaling logic for when it can.
   */
  public enum Precision {
    FP32
  }

  public TrainingConfig {
    if (epochs < 0 || batchSize <= 0 || inputChannels <= 0 || regions <= 0) {
      throw new IllegalArgumentException(
          "need epochs >= 0 and positive batch size and channels, got epochs "
              + epochs
              + ", batch "
              + batchSize);
    }
    if (validateEvery <= 0 || sizeDivisor <= 0 || keepCheckpoints <= 0) {
      throw new IllegalArgumentException(
          "validateEvery, sizeDivisor and keepCheckpoints must be positive");
    }
    if (dice == null
        || networkOutput == null
        || optimizer == null
        || schedule == null
        || diceReduction == null
        || outputPriorFit == null) {
      throw new IllegalArgumentException(
          "dice, networkOutput, optimizer, schedule, diceReduction and outputPriorFit are required");
    }
    if (finalWeights == FinalWeights.SWA_AVERAGE && swa == null) {
      throw new IllegalArgumentException("final weights SWA_AVERAGE need an SWA configuration");
    }
    if (!Double.isNaN(outputPrior) && !(outputPrior > 0 && outputPrior < 1)) {
      throw new IllegalArgumentException(
          "output prior must be a probability strictly between 0 and 1, got " + outputPrior);
    }
    if (outputPriorFit == PriorFit.FIRST_BATCH && Double.isNaN(outputPrior)) {
      throw new IllegalArgumentException("fitting the output prior on the first batch needs one");
    }
  }

  /**
   * A configuration with the reference's initialisation (no output prior) and the method's
   * batch-wise soft Dice.
   */
  public TrainingConfig(
      int epochs,
      int batchSize,
      PatchSize patch,
      int inputChannels,
      int regions,
      SoftDiceLoss.Denominator dice,
      SoftDiceLoss.Input networkOutput,
      OptimizerConfig optimizer,
      ScheduleConfig schedule,
      SwaConfig swa,
      int validateEvery,
      FinalWeights finalWeights,
      long seed,
      Precision precision,
      int sizeDivisor,
      int keepCheckpoints) {
    this(
        epochs,
        batchSize,
        patch,
        inputChannels,
        regions,
        dice,
        networkOutput,
        optimizer,
        schedule,
        swa,
        validateEvery,
        finalWeights,
        seed,
        precision,
        sizeDivisor,
        keepCheckpoints,
        Double.NaN,
        SoftDiceLoss.Reduction.BATCH,
        PriorFit.BIAS);
  }

  /** Whether the output biases start at {@link #outputPrior}'s logit. */
  public boolean hasOutputPrior() {
    return !Double.isNaN(outputPrior);
  }

  /**
   * Pipeline A: 200 epochs, batch 1, 128^3 patches, Dice with squares, Ranger lr 1e-4, constant
   * then cosine to 0 from epoch 100, validation every 3 epochs, then the paper's fast SWA; the SWA
   * average is the result.
   */
  public static TrainingConfig pipelineA() {
    return new TrainingConfig(
        200,
        1,
        PatchSize.cube(128),
        4,
        3,
        SoftDiceLoss.Denominator.SQUARES,
        SoftDiceLoss.Input.LOGITS,
        OptimizerConfig.ranger(1e-4),
        ScheduleConfig.constantThenCosine(100, 200, 0),
        SwaConfig.paper(),
        3,
        FinalWeights.SWA_AVERAGE,
        DEFAULT_SEED,
        Precision.FP32,
        8,
        2);
  }

  /**
   * Pipeline B: 400 epochs, batch 3, 128^3 patches, Dice with sums, Adam (lr 1e-4, eps 1e-4),
   * cosine annealing over the 400 epochs, validation every 3 epochs, the weights with the lowest
   * validation loss are the result.
   */
  public static TrainingConfig pipelineB() {
    return new TrainingConfig(
        400,
        3,
        PatchSize.cube(128),
        4,
        3,
        SoftDiceLoss.Denominator.SUMS,
        SoftDiceLoss.Input.LOGITS,
        OptimizerConfig.adam(1e-4, 1e-4),
        ScheduleConfig.cosine(400, 0),
        null,
        3,
        FinalWeights.BEST_VALIDATION,
        DEFAULT_SEED,
        Precision.FP32,
        8,
        2);
  }

  /** The same configuration with another run seed. */
  public TrainingConfig withSeed(long newSeed) {
    return with(newSeed, outputPrior, diceReduction, outputPriorFit);
  }

  /**
   * The same configuration with another output prior (NaN: the reference's initialisation, which
   * also puts the prior back to {@link PriorFit#BIAS}).
   */
  public TrainingConfig withOutputPrior(double p) {
    return with(seed, p, diceReduction, Double.isNaN(p) ? PriorFit.BIAS : outputPriorFit);
  }

  /** The same configuration with the output prior put in by {@code fit}. */
  public TrainingConfig withOutputPriorFit(PriorFit fit) {
    return with(seed, outputPrior, diceReduction, fit);
  }

  /** The same configuration with the soft Dice summed over {@code r}. */
  public TrainingConfig withDiceReduction(SoftDiceLoss.Reduction r) {
    return with(seed, outputPrior, r, outputPriorFit);
  }

  private TrainingConfig with(long newSeed, double p, SoftDiceLoss.Reduction r, PriorFit fit) {
    return new TrainingConfig(
        epochs,
        batchSize,
        patch,
        inputChannels,
        regions,
        dice,
        networkOutput,
        optimizer,
        schedule,
        swa,
        validateEvery,
        finalWeights,
        newSeed,
        precision,
        sizeDivisor,
        keepCheckpoints,
        p,
        r,
        fit);
  }

  /** Main-phase plus SWA epochs. */
  public int totalEpochs() {
    return epochs + (swa == null ? 0 : swa.totalEpochs());
  }

  /** Whether {@code epoch} (0-based, overall) is followed by validation. */
  public boolean validatesAfter(int epoch) {
    return (epoch + 1) % validateEvery == 0;
  }

  /**
   * This configuration as fingerprints take it (a checkpoint's here, a run's models' in the jobs):
   * its text, less the Dice reduction where that is the method's batch-wise one and less the prior
   * fit where that is the plain bias. Both joined the configuration after fingerprints existed, and
   * so they leave theirs as they were: checkpoints of running trainings still resume, finished
   * models are not trained again.
   */
  public String fingerprintText() {
    String text = toString();
    if (outputPriorFit == PriorFit.BIAS) {
      text = text.replace(", outputPriorFit=" + PriorFit.BIAS, "");
    }
    return diceReduction == SoftDiceLoss.Reduction.BATCH
        ? text.replace(", diceReduction=" + SoftDiceLoss.Reduction.BATCH, "")
        : text;
  }

  /** Digest of this configuration and the fold; a checkpoint only resumes the run that made it. */
  public String fingerprint(int fold) {
    String text = fingerprintText();
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest((text + "|fold=" + fold).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
