package org.bratscv.jobs.stages;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results summary as Markdown: the paper's table of means, then every statistic. */
public final class SummaryMarkdown {
  private SummaryMarkdown() {}

  public static String render(List<EvaluateStage.SummaryRow> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| labelmap set | Dice ET | Dice WT | Dice TC | HD95 ET | HD95 WT | HD95 TC | cases |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    Map<String, Map<String, EvaluateStage.SummaryRow>> bySet = new LinkedHashMap<>();
    for (EvaluateStage.SummaryRow r : rows) {
      bySet
          .computeIfAbsent(r.labelmapSet(), k -> new LinkedHashMap<>())
          .put(r.metric() + "/" + r.region(), r);
    }
    for (Map.Entry<String, Map<String, EvaluateStage.SummaryRow>> e : bySet.entrySet()) {
      Map<String, EvaluateStage.SummaryRow> m = e.getValue();
      sb.append("| ").append(e.getKey());
      for (String key :
          new String[] {"dice/ET", "dice/WT", "dice/TC", "hd95/ET", "hd95/WT", "hd95/TC"}) {
        EvaluateStage.SummaryRow r = m.get(key);
        sb.append(" | ")
            .append(
                r == null
                    ? ""
                    : String.format(
                        Locale.ROOT, key.startsWith("dice") ? "%.3f" : "%.2f", r.mean()));
      }
      EvaluateStage.SummaryRow wt = m.get("dice/WT");
      sb.append(" | ").append(wt == null ? 0 : wt.n()).append(" |\n");
    }
    sb.append("\n| labelmap set | region | metric | mean | std | median | q25 | q75 | n |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    for (EvaluateStage.SummaryRow r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %.4f | %.4f | %.4f | %.4f | %.4f | %d |%n",
              r.labelmapSet(),
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
