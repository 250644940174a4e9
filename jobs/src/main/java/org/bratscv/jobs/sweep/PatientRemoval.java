package org.bratscv.jobs.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.bratscv.data.metrics.Percentiles;
import org.bratscv.jobs.run.Table;
import org.bratscv.jobs.stages.TrainingLossStage.CaseLoss;

/**
 * Patient removal: training cases ranked by their Dice loss after a full run (highest first); those
 * above the configured quantile of the losses (linear interpolation, numpy's default) or above a
 * fixed threshold are dropped. Cases that could not be scored are never dropped.
 */
public final class PatientRemoval {
  /** A ranked case; {@code rank} 1 is the highest loss. */
  public record Ranked(String caseId, double diceLoss, int models, int rank, boolean dropped) {}

  /** The ranking and the loss above which cases were dropped. */
  public record Decision(List<Ranked> ranked, double cutoff) {
    public Set<String> dropped() {
      Set<String> out = new TreeSet<>();
      ranked.stream().filter(Ranked::dropped).forEach(r -> out.add(r.caseId()));
      return out;
    }
  }

  private PatientRemoval() {}

  public static Decision decide(List<CaseLoss> losses, SweepConfig.Removal rule) {
    List<CaseLoss> ok = new ArrayList<>(losses.stream().filter(CaseLoss::ok).toList());
    ok.sort(
        Comparator.comparingDouble(CaseLoss::diceLoss).reversed().thenComparing(CaseLoss::caseId));
    double cutoff;
    if (rule.threshold() != null) {
      cutoff = rule.threshold();
    } else if (ok.isEmpty()) {
      cutoff = Double.NaN;
    } else {
      double[] v = ok.stream().mapToDouble(CaseLoss::diceLoss).sorted().toArray();
      cutoff = Percentiles.linear(v, rule.quantile());
    }
    List<Ranked> ranked = new ArrayList<>();
    for (int i = 0; i < ok.size(); i++) {
      CaseLoss c = ok.get(i);
      ranked.add(new Ranked(c.caseId(), c.diceLoss(), c.models(), i + 1, c.diceLoss() > cutoff));
    }
    return new Decision(ranked, cutoff);
  }

  /** A removal variant's {@code removal.csv}: every training case ranked by its Dice loss. */
  public static final Table<Ranked> TABLE =
      Table.<Ranked>builder("removal list")
          .column("case_id", Ranked::caseId)
          .column("dice_loss", r -> String.format(Locale.ROOT, "%.6f", r.diceLoss()))
          .column("models", r -> Integer.toString(r.models()))
          .column("rank", r -> Integer.toString(r.rank()))
          .column("dropped", r -> Boolean.toString(r.dropped()))
          .optReader(
              r ->
                  new Ranked(
                      r.text("case_id"),
                      r.number("dice_loss"),
                      r.integer("models"),
                      r.integer("rank"),
                      r.bool("dropped")))
          .build();
}
