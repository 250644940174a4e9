package org.bratscv.jobs.cli;

import org.apache.spark.sql.SparkSession;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.report.RunReport;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.EvaluateStage;
import org.bratscv.jobs.stages.SummaryMarkdown;

/**
 * What the run commands share: the Spark session, the printed summary, the report and the exit
 * code.
 */
final class Runs {
  /** Exit code of a run that finished but had failed cases, models or predictions. */
  static final int SOME_FAILED = 3;

  private Runs() {}

  static SparkSession spark(RunConfig c, String command) {
    return SparkSessions.getOrCreate("brats-cv " + command + " " + c.name(), c.spark());
  }

  /** Prints the summary and the failures; returns 0, or 3 when anything failed. */
  static int report(CrossValidation.Outcome o, String output) {
    EvaluateStage.Result e = o.evaluation();
    if (!e.summary().isEmpty()) {
      System.out.println();
      System.out.print(SummaryMarkdown.render(e.summary()));
    }
    System.out.println();
    System.out.println("outputs: " + output + " (evaluate/summary.md, evaluate/metrics.csv)");
    if (o.clean()) {
      return 0;
    }
    System.out.println("finished with failures:");
    o.failedCases()
        .forEach(r -> System.out.println("  case " + r.getCaseId() + ": " + r.getReason()));
    o.failedModels().forEach(m -> System.out.println("  model " + m.getReason()));
    o.failedPredictions().forEach(p -> System.out.println("  prediction " + p));
    e.errors().forEach(x -> System.out.println("  evaluation " + x));
    return SOME_FAILED;
  }

  /**
   * Writes the run's HTML/Markdown report and prints where it is. A report that cannot be written
   * is a warning, not a failed run: the results themselves are complete.
   */
  static void writeReport(SparkSession spark, String output) {
    try {
      var html =
          RunReport.write(spark.sparkContext().hadoopConfiguration(), new OutputRoot(output));
      System.out.println("report: " + html);
    } catch (java.io.IOException | RuntimeException e) {
      System.out.println("report: not written: " + (e.getMessage() == null ? e : e.getMessage()));
    }
  }
}
