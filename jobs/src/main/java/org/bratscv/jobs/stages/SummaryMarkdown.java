package org.bratscv.jobs.stages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results summary as Markdown: the paper's table of means (with the lesion-wise means where a
 * set was scored under brats2023), each row naming its metric convention, then every statistic.
 */
public final class SummaryMarkdown {
  private SummaryMarkdown() {}

  public static String render(List<EvaluateStage.SummaryRow> rows) {
    Map<String, Map<String, EvaluateStage.SummaryRow>> bySet = new LinkedHashMap<>();
    boolean lesionWise = false;
    for (EvaluateStage.SummaryRow r : rows) {
      bySet
          .computeIfAbsent(r.labelmapSet() + "\t" + r.convention(), k -> new LinkedHashMap<>())
          .put(r.metric() + "/" + r.region(), r);
      lesionWise |= r.metric().startsWith("lesionwise");
    }
    List<String> keys =
        new ArrayList<>(List.of("dice/ET", "dice/WT", "dice/TC", "hd95/ET", "hd95/WT", "hd95/TC"));
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| labelmap set | convention | Dice ET | Dice WT | Dice TC | HD95 ET | HD95 WT | HD95 TC");
    if (lesionWise) {
      sb.append(" | LW Dice ET | LW Dice WT | LW Dice TC | LW HD95 ET | LW HD95 WT | LW HD95 TC");
      for (String k : List.copyOf(keys)) {
        keys.add("lesionwise_" + k);
      }
    }
    sb.append(" | cases |\n");
    sb.append("|---|---|").append("---|".repeat(keys.size() + 1)).append('\n');
    for (Map.Entry<String, Map<String, EvaluateStage.SummaryRow>> e : bySet.entrySet()) {
      Map<String, EvaluateStage.SummaryRow> m = e.getValue();
      String[] setAndConvention = e.getKey().split("\t", 2);
      sb.append("| ").append(setAndConvention[0]).append(" | ").append(setAndConvention[1]);
      for (String key : keys) {
        EvaluateStage.SummaryRow r = m.get(key);
        sb.append(" | ")
            .append(
                r == null
                    ? ""
                    : String.format(Locale.ROOT, key.contains("dice") ? "%.3f" : "%.2f", r.mean()));
      }
      EvaluateStage.SummaryRow wt = m.get("dice/WT");
      sb.append(" | ").append(wt == null ? 0 : wt.n()).append(" |\n");
    }
    if (lesionWise) {
      sb.append("\nLW: lesion-wise (BraTS 2023+).\n");
    }
    sb.append(
        "\n| labelmap set | convention | region | metric | mean | std | median | q25 | q75 | n |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (EvaluateStage.SummaryRow r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %.4f | %.4f | %.4f | %.4f | %.4f | %d |%n",
              r.labelmapSet(),
              r.convention(),
              r.region(),
              r.metric(),
              r.mean(),
              r.std(),
              r.median(),
              r.q25(),
              r.q75(),
              r.n()));
    }
    return sb.toString();
  }
}
