package org.bratscv.model.train;

import org.bratscv.model.optim.ConstantThenCosine;
import org.bratscv.model.optim.CosineAnnealing;
import org.bratscv.model.optim.LearningRateSchedule;

/**
 * The learning-rate schedule of the main phase, relative to the optimizer's base rate.
 *
 * @param kind the shape of the schedule
 * @param floor the rate the cosine decays towards
 * @param decayStart first epoch of the cosine ({@link Kind#CONSTANT_THEN_COSINE} only)
 * @param period length of the half-cosine in epochs
 * @param warmupEpochs epochs of linear warm-up at the start (0: none); see {@link
 *     LearningRateSchedule#withWarmup}
 */
public record ScheduleConfig(Kind kind, double floor, int decayStart, int period, int warmupEpochs)
    implements java.io.Serializable {

  public ScheduleConfig {
    if (warmupEpochs < 0) {
      throw new IllegalArgumentException("warm-up epochs must be >= 0, got " + warmupEpochs);
    }
  }

  /** Schedule shapes. */
  public enum Kind {
    CONSTANT,
    CONSTANT_THEN_COSINE,
    COSINE
  }

  /** Pipeline A: constant, then cosine to {@code floor} over {@code epochs - decayStart}. */
  public static ScheduleConfig constantThenCosine(int decayStart, int epochs, double floor) {
    return new ScheduleConfig(Kind.CONSTANT_THEN_COSINE, floor, decayStart, epochs - decayStart, 0);
  }

  /** Pipeline B: cosine annealing over {@code epochs}. */
  public static ScheduleConfig cosine(int epochs, double floor) {
    return new ScheduleConfig(Kind.COSINE, floor, 0, epochs, 0);
  }

  public static ScheduleConfig constant() {
    return new ScheduleConfig(Kind.CONSTANT, 0, 0, 1, 0);
  }

  /** This schedule with {@code epochs} epochs of linear warm-up in front of its first epochs. */
  public ScheduleConfig withWarmup(int epochs) {
    return new ScheduleConfig(kind, floor, decayStart, period, epochs);
  }

  /**
   * The record's usual form, with the warm-up only when there is one: run fingerprints are made
   * from this text, and schedules without a warm-up keep the text (and fingerprints) they had
   * before the setting existed.
   */
  @Override
  public String toString() {
    return "ScheduleConfig[kind="
        + kind
        + ", floor="
        + floor
        + ", decayStart="
        + decayStart
        + ", period="
        + period
        + (warmupEpochs == 0 ? "" : ", warmupEpochs=" + warmupEpochs)
        + "]";
  }

  public LearningRateSchedule create(double base) {
    LearningRateSchedule shape =
        switch (kind) {
          case CONSTANT -> LearningRateSchedule.constant(base);
          case CONSTANT_THEN_COSINE -> new ConstantThenCosine(base, floor, decayStart, period);
          case COSINE -> new CosineAnnealing(base, floor, period);
        };
    return warmupEpochs == 0 ? shape : shape.withWarmup(warmupEpochs);
  }
}
