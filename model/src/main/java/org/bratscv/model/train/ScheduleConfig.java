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
 */
public record ScheduleConfig(Kind kind, double floor, int decayStart, int period)
    implements java.io.Serializable {

  /** Schedule shapes. */
  public enum Kind {
    CONSTANT,
    CONSTANT_THEN_COSINE,
    COSINE
  }

  /** Pipeline A: constant, then cosine to {@code floor} over {@code epochs - decayStart}. */
  public static ScheduleConfig constantThenCosine(int decayStart, int epochs, double floor) {
    return new ScheduleConfig(Kind.CONSTANT_THEN_COSINE, floor, decayStart, epochs - decayStart);
  }

  /** Pipeline B: cosine annealing over {@code epochs}. */
  public static ScheduleConfig cosine(int epochs, double floor) {
    return new ScheduleConfig(Kind.COSINE, floor, 0, epochs);
  }

  public static ScheduleConfig constant() {
    return new ScheduleConfig(Kind.CONSTANT, 0, 0, 1);
  }

  public LearningRateSchedule create(double base) {
    return switch (kind) {
      case CONSTANT -> LearningRateSchedule.constant(base);
      case CONSTANT_THEN_COSINE -> new ConstantThenCosine(base, floor, decayStart, period);
      case COSINE -> new CosineAnnealing(base, floor, period);
    };
  }
}
