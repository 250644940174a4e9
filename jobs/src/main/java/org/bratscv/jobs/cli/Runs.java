package org.bratscv.jobs.cli;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.report.RunReport;
import org.bratscv.jobs.spark.GpuScheduling;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.EvaluateStage;
import org.bratscv.jobs.stages.SummaryMarkdown;
import org.bratscv.jobs.stages.TrainedEnsemble;
import org.bratscv.jobs.sweep.SelectedEnsemble;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the run commands share: the Spark session, the output root's lock, the printed summary, the
 * report and the exit code.
 */
final class Runs {
  /** Exit code of a run that finished but had failed cases, models or predictions. */
  static final int SOME_FAILED = 3;

  /** Exit code of a run refused because another run holds its output root's lock. */
  static final int LOCKED = 4;

  private Runs() {}

  /**
   * Locks output root {@code output} for this command until the lock is closed; the file system is
   * reached with the session's Hadoop settings, as every output is.
   */
  static RunLock lock(SparkSession spark, String output, CommandSpec spec) throws IOException {
    return RunLock.acquire(
        spark.sparkContext().hadoopConfiguration(), new OutputRoot(output), commandLine(spec));
  }

  /** {@code brats-cv <args>} as typed (arguments with blanks quoted), for the lock file. */
  static String commandLine(CommandSpec spec) {
    StringBuilder s = new StringBuilder("brats-cv");
    for (String a : spec.commandLine().getParseResult().originalArgs()) {
      s.append(' ').append(a.isEmpty() || a.matches(".*\\s.*") ? "'" + a + "'" : a);
    }
    return s.toString();
  }

  /**
   * The cross-validation run of {@code c}; with {@code ensemble.models} set, its ensemble is loaded
   * now (before any stage runs, so a bad path stops the run at once) to segment {@code data.test}.
   */
  static CrossValidation crossValidation(SparkSession spark, RunConfig c) {
    CrossValidation cv = new CrossValidation(spark, c);
    String models = c.ensemble().models();
    return models == null
        ? cv
        : cv.withTestEnsemble(testEnsemble(spark.sparkContext().hadoopConfiguration(), models));
  }

  /**
   * The ensemble {@code ensemble.models} names.
   *
   * @throws ConfigException naming the path when it is none of the accepted layouts
   */
  static TrainedEnsemble testEnsemble(Configuration hadoop, String models) {
    try {
      return ensemble(hadoop, models, null);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "ensemble.models: "
              + models
              + " is not an ensemble brats-cv can load (a run root with train/models.csv, a"
              + " sweep root with ensemble.csv, or a model package: a folder with manifest.json"
              + " or a .zip): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The ensemble at {@code location}: a sweep root's selected ensemble (when it has {@code
   * ensemble.csv} and no {@code variant} is asked for), else a run's models or a model package
   * ({@link TrainedEnsemble#load}).
   */
  static TrainedEnsemble ensemble(Configuration hadoop, String location, String variant)
      throws IOException {
    return variant == null && SelectedEnsemble.existsAt(hadoop, location)
        ? SelectedEnsemble.load(hadoop, location)
        : TrainedEnsemble.load(hadoop, location, variant);
  }

  /** The run's Spark session; in local mode, checked first to hold the GPU it asks for. */
  static SparkSession spark(RunConfig c, String command) {
    SparkSession spark =
        SparkSessions.getOrCreate("brats-cv " + command + " " + c.name(), c.spark());
    GpuScheduling.checkLocalDevice(spark.sparkContext().getConf(), c.compute().device());
    return spark;
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
