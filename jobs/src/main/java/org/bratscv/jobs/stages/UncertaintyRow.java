package org.bratscv.jobs.stages;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.data.uncertainty.UncertaintyScore;
import org.bratscv.jobs.run.Table;

/**
 * One row of {@code evaluate/uncertainty.csv}: the BraTS 2020 uncertainty task's score of one
 * region's uncertainty map of one labelmap ({@link UncertaintyScore}): the three areas, the
 * combined score and the curves at each threshold.
 */
public record UncertaintyRow(
    String labelmapSet, String caseId, String region, UncertaintyScore score)
    implements Serializable {

  /** {@code evaluate/uncertainty.csv}. */
  public static final Table<UncertaintyRow> TABLE = table();

  private static Table<UncertaintyRow> table() {
    Table.Builder<UncertaintyRow> b =
        Table.<UncertaintyRow>builder("uncertainty scores")
            .column("labelmap_set", UncertaintyRow::labelmapSet)
            .column("case_id", UncertaintyRow::caseId)
            .column("region", UncertaintyRow::region)
            .column("score", r -> EvaluateStage.fmt(r.score().score()))
            .column("dice_auc", r -> EvaluateStage.fmt(r.score().diceAuc()))
            .column("ftp_auc", r -> EvaluateStage.fmt(r.score().ftpAuc()))
            .column("ftn_auc", r -> EvaluateStage.fmt(r.score().ftnAuc()));
    List<Integer> thresholds = UncertaintyScore.THRESHOLDS;
    for (int i = 0; i < thresholds.size(); i++) {
      int k = i;
      b.column("dice_" + thresholds.get(i), r -> EvaluateStage.fmt(r.point(k).dice()));
    }
    for (int i = 0; i < thresholds.size(); i++) {
      int k = i;
      b.column("ftp_" + thresholds.get(i), r -> EvaluateStage.fmt(r.point(k).ftp()));
    }
    for (int i = 0; i < thresholds.size(); i++) {
      int k = i;
      b.column("ftn_" + thresholds.get(i), r -> EvaluateStage.fmt(r.point(k).ftn()));
    }
    return b.optReader(
            r -> {
              List<UncertaintyScore.Point> points = new ArrayList<>();
              for (int t : thresholds) {
                points.add(
                    new UncertaintyScore.Point(
                        t, r.number("dice_" + t), r.number("ftp_" + t), r.number("ftn_" + t)));
              }
              return new UncertaintyRow(
                  r.text("labelmap_set"),
                  r.text("case_id"),
                  r.text("region"),
                  new UncertaintyScore(
                      points,
                      r.number("dice_auc"),
                      r.number("ftp_auc"),
                      r.number("ftn_auc"),
                      r.number("score")));
            })
        .build();
  }

  private UncertaintyScore.Point point(int i) {
    return score.points().get(i);
  }
}
