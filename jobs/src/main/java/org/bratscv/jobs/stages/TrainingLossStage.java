package org.bratscv.jobs.stages;

import ai.djl.Device;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.preprocess.BrainCrop;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.preprocess.RegionTargets;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.spark.Progress;
import org.bratscv.jobs.spark.TaskCpus;
import org.bratscv.model.infer.Ensemble;
import org.bratscv.model.infer.TestTimeAugmentation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How well trained models fit their own training cases, for patient removal: each case is scored by
 * every model that had it in its training set (the other folds' models), without test-time
 * augmentation, on the whole brain crop; its Dice loss is 1 - the mean over ET, TC and WT of the
 * soft Dice {@code 2 sum(p t) / (sum(p^2) + sum(t^2))} of the model's probabilities, averaged over
 * those models. Spark tasks over groups of cases; a case that cannot be scored is reported with its
 * reason and never ranked.
 */
public final class TrainingLossStage {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLossStage.class);

  /** One case and the models that trained on it. */
  public record CaseJob(String caseId, String caseDir, List<InferStage.Member> members)
      implements Serializable {}

  /** A case's loss, or the reason it has none. */
  public record CaseLoss(String caseId, double diceLoss, int models, String error)
      implements Serializable {
    public boolean ok() {
      return error == null;
    }
  }

  public List<CaseLoss> run(
      SparkSession spark,
      List<CaseJob> jobs,
      int casesPerTask,
      int engineThreads,
      double gpuShare,
      String device)
      throws IOException {
    if (jobs.isEmpty()) {
      return List.of();
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
    List<CaseLoss> out;
    try (Progress p = Progress.start(spark.sparkContext(), "training loss: cases", jobs.size())) {
      LongAccumulator done = p.counter();
      int slices = Math.max(1, (jobs.size() + casesPerTask - 1) / casesPerTask);
      JavaRDD<CaseJob> rdd = sc.parallelize(jobs, slices);
      TaskCpus cpus = TaskCpus.of(sc.getConf(), engineThreads);
      rdd = cpus.schedule(rdd, gpuShare);
      sc.setJobDescription("training loss of " + jobs.size() + " cases");
      out =
          rdd.mapPartitions((Iterator<CaseJob> it) -> scoreAll(it, conf, cpus, device, done))
              .collect();
    }
    List<CaseLoss> sorted = new ArrayList<>(out);
    sorted.sort(Comparator.comparing(CaseLoss::caseId));
    return sorted;
  }

  private static Iterator<CaseLoss> scoreAll(
      Iterator<CaseJob> jobs,
      HadoopConf conf,
      TaskCpus cpus,
      String deviceSetting,
      LongAccumulator done)
      throws InterruptedException {
    Device device = InferStage.taskDevice(cpus, deviceSetting);
    NiftiReader reader = NiftiReader.withDefaults();
    List<CaseLoss> out = new ArrayList<>();
    try (TaskCpus.Turn cores = cpus.take()) {
      while (jobs.hasNext()) {
        out.add(score(jobs.next(), conf, reader, device));
        done.add(1);
      }
    }
    return out.iterator();
  }

  static CaseLoss score(CaseJob job, HadoopConf conf, NiftiReader reader, Device device) {
    try {
      Path caseDir = new Path(job.caseDir());
      FileSystem fs = caseDir.getFileSystem(conf.get());
      CaseRecord record = PreparedCaseFiles.readRecord(fs, caseDir);
      EnumSet<org.bratscv.data.preprocess.Normalization> needed =
          EnumSet.noneOf(org.bratscv.data.preprocess.Normalization.class);
      job.members().forEach(m -> needed.add(m.normalization()));
      PreparedCase pc = PreparedCaseFiles.read(fs, caseDir, needed, reader);
      if (!pc.hasLabels()) {
        return new CaseLoss(job.caseId(), Double.NaN, 0, "case " + job.caseId() + " has no seg");
      }
      BrainCrop crop = pc.crop();
      MultiChannelVolume targets =
          RegionTargets.of(
              pc.labels().pad(crop.padding()), LabelScheme.parse(record.labelScheme()));
      double sum = 0;
      for (InferStage.Member m : job.members()) {
        Path taskDir = new Path(m.taskDir());
        Ensemble one =
            Ensemble.builder()
                .optDevice(device)
                .optAugmentations(TestTimeAugmentation.none())
                .addMember(
                    m.pipeline() + "-fold" + m.fold(),
                    LoadedModels.get(
                        taskDir.getFileSystem(conf.get()), taskDir, m.network(), device),
                    m.normalization().name())
                .build();
        MultiChannelVolume probs =
            one.predict(
                Map.of(m.normalization().name(), crop.padCropped(pc.image(m.normalization()))));
        sum += diceLoss(probs, targets);
      }
      return new CaseLoss(job.caseId(), sum / job.members().size(), job.members().size(), null);
    } catch (Exception | OutOfMemoryError e) {
      String reason =
          "case " + job.caseId() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
      LOG.error("training loss {}", reason, e);
      return new CaseLoss(job.caseId(), Double.NaN, 0, reason);
    }
  }

  /** 1 - mean over channels of the soft Dice with squared denominators (1 when both empty: 0). */
  static double diceLoss(MultiChannelVolume probs, MultiChannelVolume targets) {
    double total = 0;
    for (int c = 0; c < targets.channelCount(); c++) {
      float[] p = probs.channel(c);
      float[] t = targets.channel(c);
      double inter = 0;
      double pp = 0;
      double tt = 0;
      for (int i = 0; i < t.length; i++) {
        inter += p[i] * t[i];
        pp += p[i] * p[i];
        tt += t[i] * t[i];
      }
      total += pp + tt == 0 ? 1.0 : 2 * inter / (pp + tt);
    }
    return 1 - total / targets.channelCount();
  }
}
