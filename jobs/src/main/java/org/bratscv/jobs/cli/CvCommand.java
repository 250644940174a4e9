package org.bratscv.jobs.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.stages.CrossValidation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code brats-cv cv}: the whole cross-validation from one configuration. */
@Command(
    name = "cv",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole cross-validation: preprocess -> folds -> train (one task per pipeline x"
          + " fold) -> infer (out-of-fold, and the ensemble on data.test) -> evaluate -> report"
          + " (report/index.html).",
      "Every stage skips work whose output is complete, so a rerun resumes.",
      "Holds <output>/brats-cv.lock while it runs: a second run on the same output is refused.",
      "Exit code: 0 all cases ok, 3 finished with failed cases/models (listed), 4 another run"
          + " holds the output's lock, other: the run failed."
    })
public final class CvCommand implements Callable<Integer> {
  @Mixin RunOptions run;
  @Mixin StaleOptions stale;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig c = run.load();
    SparkSession spark = Runs.spark(c, "cv");
    try (RunLock lock = Runs.lock(spark, c.output(), spec)) {
      CrossValidation.Outcome o =
          Runs.crossValidation(spark, c).withStaleOutputs(stale.policy()).all();
      int code = Runs.report(o, c.output());
      Runs.writeReport(spark, c.output());
      return code;
    } finally {
      spark.stop();
    }
  }
}
