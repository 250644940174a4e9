package org.bratscv.jobs.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.stages.CaseManifestRow;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.EvaluateStage;
import org.bratscv.jobs.stages.InferStage;
import org.bratscv.jobs.stages.ModelRow;
import org.bratscv.jobs.stages.PreprocessStage;
import org.bratscv.jobs.stages.SummaryMarkdown;
import org.bratscv.jobs.stages.TrainStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * One command per stage of {@code cv}, each reading what the stage before wrote under the output
 * root: rerun or replace any step on its own.
 */
final class StageCommands {
  private StageCommands() {}

  /**
   * Runs one stage with a session for the configuration, holding the output root's lock; stops the
   * session after.
   */
  abstract static class Stage implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin StaleOptions stale;
    @Spec CommandSpec spec;

    abstract int run(CrossValidation cv) throws Exception;

    @Override
    public Integer call() throws Exception {
      RunConfig c = run.load();
      SparkSession spark = Runs.spark(c, getClass().getSimpleName());
      try (RunLock lock = Runs.lock(spark, c.output(), spec)) {
        CrossValidation cv = Runs.crossValidation(spark, c).withStaleOutputs(stale.policy());
        cv.saveConfig();
        return run(cv);
      } finally {
        spark.stop();
      }
    }
  }

  @Command(
      name = "preprocess",
      mixinStandardHelpOptions = true,
      description =
          "Discovers the cases of data.train and preprocesses them in Spark tasks (check, crop,"
              + " normalise per pipeline); writes preprocess/manifest.{parquet,csv}. Exit 3 when"
              + " some cases failed.")
  static final class Preprocess extends Stage {
    @Override
    int run(CrossValidation cv) throws Exception {
      PreprocessStage.Result r = cv.preprocess();
      System.out.printf("%d cases ok, %d failed%n", r.ok().size(), r.errors().size());
      for (CaseManifestRow e : r.errors()) {
        System.out.println("  " + e.getCaseId() + ": " + e.getReason());
      }
      return r.errors().isEmpty() ? 0 : Runs.SOME_FAILED;
    }
  }

  @Command(
      name = "folds",
      mixinStandardHelpOptions = true,
      description =
          "Splits the preprocessed labelled cases into folds.k seeded folds (or imports"
              + " folds.split_file); writes folds.json.")
  static final class Folds extends Stage {
    @Override
    int run(CrossValidation cv) throws Exception {
      var split = cv.folds();
      split
          .folds()
          .forEach(
              f ->
                  System.out.printf(
                      "fold %d: %d train, %d val%n", f.fold(), f.train().size(), f.val().size()));
      return 0;
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description =
          "Trains one model per pipeline x fold, one Spark task each (one GPU each on a GPU"
              + " cluster); resumes from checkpoints; writes train/models.{parquet,csv} and"
              + " train/log.{parquet,csv}.")
  static final class Train extends Stage {
    @Override
    int run(CrossValidation cv) throws Exception {
      TrainStage.Result r = cv.train();
      for (ModelRow m : r.models()) {
        System.out.printf(
            "%s/%s/fold%d: %s %s%n",
            m.getVariant(),
            m.getPipeline(),
            m.getFold(),
            m.getStatus(),
            m.isOk() ? m.getCheckpoint() : m.getReason());
      }
      return r.failed().isEmpty() ? 0 : Runs.SOME_FAILED;
    }
  }

  @Command(
      name = "infer",
      mixinStandardHelpOptions = true,
      description =
          "Segments the training cases out-of-fold (16 TTA) and the cases of data.test with the"
              + " whole ensemble (folds x 16 TTA per pipeline, then the two-pass merge); writes"
              + " NIfTI labelmaps under predictions/ and test/predictions/.")
  static final class Infer extends Stage {
    @Override
    int run(CrossValidation cv) throws Exception {
      List<InferStage.Prediction> p = new java.util.ArrayList<>(cv.inferOutOfFold());
      p.addAll(cv.inferTest());
      long failed = p.stream().filter(x -> !x.ok()).count();
      System.out.printf("%d labelmaps written, %d failed%n", p.size() - failed, failed);
      p.stream()
          .filter(x -> !x.ok())
          .map(InferStage.Prediction::error)
          .distinct()
          .forEach(e -> System.out.println("  " + e));
      return failed == 0 ? 0 : Runs.SOME_FAILED;
    }
  }

  @Command(
      name = "evaluate",
      mixinStandardHelpOptions = true,
      description =
          "Scores every labelled prediction (Dice, HD95, sensitivity, specificity per region);"
              + " writes evaluate/metrics.{parquet,csv}, summary.csv and summary.md.")
  static final class Evaluate extends Stage {
    @Override
    int run(CrossValidation cv) throws Exception {
      EvaluateStage.Result r = cv.evaluateOnDisk();
      System.out.print(SummaryMarkdown.render(r.summary()));
      r.errors().forEach(e -> System.out.println("  " + e));
      return r.errors().isEmpty() ? 0 : Runs.SOME_FAILED;
    }
  }
}
