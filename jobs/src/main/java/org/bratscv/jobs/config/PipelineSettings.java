package org.bratscv.jobs.config;

import java.io.Serializable;
import java.util.Locale;
import org.bratscv.data.augment.Augmentation;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.model.loss.SoftDiceLoss;
import org.bratscv.model.net.Norm;
import org.bratscv.model.train.OptimizerConfig;
import org.bratscv.model.train.ScheduleConfig;
import org.bratscv.model.train.SwaConfig;
import org.bratscv.model.train.TrainingConfig;

/**
 * One training pipeline of a run ({@code pipelines.<name>} in the YAML): which of the paper's
 * pipelines it starts from ({@code paper_pipeline: A|B}, default its own name), its normalisation,
 * augmentation, network and training schedule. Every key defaults to the paper's value.
 */
public record PipelineSettings(
    String name,
    Normalization normalization,
    String augmentation,
    NetworkSettings network,
    TrainingConfig training)
    implements Serializable {

  /** The augmentation to train with, or null for none. */
  public Augmentation augmentationOrNull() {
    return switch (augmentation) {
      case "none" -> null;
      default -> Augmentation.paperDefault(Normalization.parse(augmentation));
    };
  }

  static PipelineSettings read(String name, Settings s, long runSeed) {
    Normalization paper =
        Normalization.parse(
            s.choice("paper_pipeline", name.equalsIgnoreCase("B") ? "B" : "A", "A", "B"));
    TrainingConfig d =
        paper == Normalization.A ? TrainingConfig.pipelineA() : TrainingConfig.pipelineB();
    Normalization normalization =
        Normalization.parse(s.choice("normalization", paper.name(), "A", "B"));
    String augmentation =
        s.choice("augmentation", paper.name(), "A", "B", "none").toLowerCase(Locale.ROOT);
    if (!augmentation.equals("none")) {
      augmentation = augmentation.toUpperCase(Locale.ROOT);
    }
    NetworkSettings network =
        NetworkSettings.read(
            s.section("network"),
            new NetworkSettings(
                48, paper == Normalization.A ? Norm.GROUP : Norm.INSTANCE, true, false, 0f));

    int epochs = s.integer("epochs", d.epochs());
    int[] patch =
        s.integers("patch", new int[] {d.patch().width(), d.patch().height(), d.patch().depth()});
    if (patch.length != 3) {
      throw new ConfigException("pipelines." + name + ".patch needs 3 sizes [x, y, z]");
    }
    SoftDiceLoss.Denominator loss =
        SoftDiceLoss.Denominator.valueOf(
            s.choice("loss", d.dice().name(), "squares", "sums").toUpperCase(Locale.ROOT));
    SoftDiceLoss.Reduction reduction =
        SoftDiceLoss.Reduction.valueOf(
            s.choice("loss_reduction", d.diceReduction().name(), "batch", "sample")
                .toUpperCase(Locale.ROOT));
    OptimizerConfig optimizer = optimizer(s.section("optimizer"), d.optimizer());
    ScheduleConfig schedule = schedule(s.section("schedule"), d.schedule(), epochs);
    SwaConfig swa = swa(s.section("swa"), d.swa());
    TrainingConfig.FinalWeights finalWeights =
        TrainingConfig.FinalWeights.valueOf(
            s.choice(
                    "final_weights",
                    swa != null ? "swa_average" : d.finalWeights().name(),
                    "swa_average",
                    "best_validation",
                    "last")
                .toUpperCase(Locale.ROOT));
    if (finalWeights == TrainingConfig.FinalWeights.SWA_AVERAGE && swa == null) {
      throw new ConfigException(
          "pipelines." + name + ": final_weights swa_average needs swa.enabled: true");
    }
    s.choice("precision", "fp32", "fp32");
    double outputPrior = s.number("output_prior", d.outputPrior());
    if (!Double.isNaN(outputPrior) && !(outputPrior > 0 && outputPrior < 1)) {
      throw new ConfigException(
          "pipelines."
              + name
              + ".output_prior must be a probability strictly between 0 and 1, got "
              + outputPrior);
    }
    TrainingConfig.PriorFit priorFit =
        TrainingConfig.PriorFit.valueOf(
            s.choice("output_prior_fit", d.outputPriorFit().name(), "bias", "first_batch")
                .toUpperCase(Locale.ROOT));
    if (priorFit != TrainingConfig.PriorFit.BIAS && Double.isNaN(outputPrior)) {
      throw new ConfigException(
          "pipelines."
              + name
              + ".output_prior_fit "
              + priorFit.name().toLowerCase(Locale.ROOT)
              + " needs an output_prior");
    }
    TrainingConfig training =
        new TrainingConfig(
            epochs,
            s.integer("batch", d.batchSize()),
            new TrainingConfig.PatchSize(patch[2], patch[1], patch[0]),
            d.inputChannels(),
            d.regions(),
            loss,
            d.networkOutput(),
            optimizer,
            schedule,
            swa,
            s.integer("validate_every", d.validateEvery()),
            finalWeights,
            s.longValue("seed", runSeed),
            TrainingConfig.Precision.FP32,
            d.sizeDivisor(),
            s.integer("keep_checkpoints", d.keepCheckpoints()),
            outputPrior,
            reduction,
            priorFit);
    s.rejectUnknownKeys();
    return new PipelineSettings(name, normalization, augmentation, network, training);
  }

  private static OptimizerConfig optimizer(Settings s, OptimizerConfig d) {
    OptimizerConfig.Kind kind =
        OptimizerConfig.Kind.valueOf(
            s.choice("name", d.kind().name(), "ranger", "adam").toUpperCase(Locale.ROOT));
    OptimizerConfig base =
        kind == d.kind()
            ? d
            : kind == OptimizerConfig.Kind.RANGER
                ? OptimizerConfig.ranger(d.learningRate())
                : OptimizerConfig.adam(d.learningRate(), 1e-8);
    double[] betas = {base.beta1(), base.beta2()};
    if (s.has("betas")) {
      java.util.List<String> b = s.strings("betas", java.util.List.of());
      if (b.size() != 2) {
        throw new ConfigException("optimizer.betas needs two numbers, got " + b);
      }
      betas = new double[] {Double.parseDouble(b.get(0)), Double.parseDouble(b.get(1))};
    }
    OptimizerConfig o =
        new OptimizerConfig(
            kind,
            s.number("lr", base.learningRate()),
            betas[0],
            betas[1],
            s.number("eps", base.eps()),
            s.number("weight_decay", base.weightDecay()),
            s.number("lookahead_alpha", base.lookaheadAlpha()),
            s.integer("lookahead_k", base.lookaheadK()),
            s.number("rectification_threshold", base.rectificationThreshold()));
    s.rejectUnknownKeys();
    return o;
  }

  /**
   * The schedule; {@code decay_start} of constant-then-cosine defaults to half the epochs (the
   * paper's 100 of 200), so a shortened run keeps the paper's shape.
   */
  private static ScheduleConfig schedule(Settings s, ScheduleConfig d, int epochs) {
    String kind = s.choice("name", d.kind().name(), "constant", "constant_then_cosine", "cosine");
    double floor = s.number("floor", d.floor());
    ScheduleConfig c =
        switch (kind) {
          case "constant" -> ScheduleConfig.constant();
          case "cosine" -> ScheduleConfig.cosine(epochs, floor);
          default -> {
            int start = s.integer("decay_start", epochs / 2);
            if (start < 0 || start > epochs) {
              throw new ConfigException(
                  s.full("decay_start")
                      + " must be within 0.."
                      + epochs
                      + " (the epochs), got "
                      + start);
            }
            yield ScheduleConfig.constantThenCosine(start, epochs, floor);
          }
        };
    int warmup = s.integer("warmup_epochs", d.warmupEpochs());
    if (warmup < 0 || warmup >= epochs) {
      throw new ConfigException(
          s.full("warmup_epochs")
              + " must be within 0.."
              + (epochs - 1)
              + " (below the epochs, "
              + epochs
              + "), got "
              + warmup);
    }
    s.rejectUnknownKeys();
    return c.withWarmup(warmup);
  }

  private static SwaConfig swa(Settings s, SwaConfig d) {
    SwaConfig base = d != null ? d : SwaConfig.paper();
    boolean enabled = s.flag("enabled", d != null);
    int cycleEpochs = s.integer("cycle_epochs", base.cycleEpochs());
    SwaConfig c =
        new SwaConfig(
            s.integer("cycles", base.cycles()),
            cycleEpochs,
            s.integer("snapshot_every", base.snapshotEvery()),
            s.integer("cosine_epochs", cycleEpochs),
            s.number("floor", base.floor()),
            OptimizerConfig.adam(
                s.number("lr", base.optimizer().learningRate()), base.optimizer().eps()),
            s.flag("include_start_weights", base.includeStartWeights()));
    s.rejectUnknownKeys();
    return enabled ? c : null;
  }
}
