package org.bratscv.jobs.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.stddev_pop;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.labels.RegionMasks;
import org.bratscv.data.metrics.CaseEvaluator;
import org.bratscv.data.metrics.CaseMetrics;
import org.bratscv.data.metrics.MetricConventions;
import org.bratscv.data.metrics.RegionMetrics;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.uncertainty.UncertaintyScore;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.Table;
import org.bratscv.jobs.spark.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluate stage: scores every predicted labelmap against its case's ground truth, in Spark
 * tasks (Dice, HD95, sensitivity, specificity per region, from the data module's {@link
 * CaseEvaluator}, under the run's {@code metrics.convention}), then aggregates with Spark SQL.
 * Writes under {@code evaluate/}: {@code metrics.parquet} and {@code metrics.csv} (one row per
 * labelmap set x case x region, with the convention it was scored under and, for brats2023, the
 * lesion-wise scores), {@code summary.csv} (one row per labelmap set x convention x region x
 * metric: mean, std, median, q25, q75, n; std is the population one, undefined values left out),
 * {@code summary.md}, {@code uncertainty.csv} (the BraTS 2020 uncertainty task's score of every
 * labelmap's uncertainty maps, {@link UncertaintyRow}) and {@code fingerprint.json} (what the
 * metrics were computed from). Every run scores every labelmap again, so no metric is ever older
 * than its labelmap.
 */
public final class EvaluateStage {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateStage.class);
  static final String[] METRICS = {
    "dice", "hd95", "sensitivity", "specificity", "lesionwise_dice", "lesionwise_hd95"
  };

  /**
   * One labelmap to score: its set, its case, its file, the case's preprocessed folder (whose
   * {@code case.json} names the ground truth) and the fingerprint of what made the labelmap.
   */
  public record Item(
      String labelmapSet, String caseId, String predFile, String caseDir, String fingerprint)
      implements Serializable {}

  /**
   * @param conventions how every case is scored, or null for each case layout's own ({@link
   *     MetricConventions#forScheme})
   */
  public record Settings(OutputRoot out, MetricConventions conventions, int casesPerTask)
      implements Serializable {
    /** The conventions a case with {@code scheme}'s labels is scored under. */
    public MetricConventions conventionsFor(LabelScheme scheme) {
      return conventions != null ? conventions : MetricConventions.forScheme(scheme);
    }
  }

  /**
   * The rows, the summary, and the uncertainty scores of the labelmaps that have uncertainty maps.
   */
  public record Result(
      List<MetricRow> rows,
      List<SummaryRow> summary,
      List<String> errors,
      List<UncertaintyRow> uncertainty) {}

  /** One summary row; {@code convention} is the metric convention its cases were scored under. */
  public record SummaryRow(
      String labelmapSet,
      String convention,
      String region,
      String metric,
      double mean,
      double std,
      double median,
      double q25,
      double q75,
      long n) {}

  /** {@code evaluate/summary.csv}. */
  public static final Table<SummaryRow> SUMMARY =
      Table.<SummaryRow>builder("metrics summary")
          .column("labelmap_set", SummaryRow::labelmapSet)
          .column("convention", SummaryRow::convention)
          .column("region", SummaryRow::region)
          .column("metric", SummaryRow::metric)
          .column("mean", r -> fmt(r.mean()))
          .column("std", r -> fmt(r.std()))
          .column("median", r -> fmt(r.median()))
          .column("q25", r -> fmt(r.q25()))
          .column("q75", r -> fmt(r.q75()))
          .column("n", r -> Long.toString(r.n()))
          .optReader(
              r ->
                  new SummaryRow(
                      r.text("labelmap_set"),
                      r.text("convention", "brats2020"), // summaries written before conventions
                      r.text("region"),
                      r.text("metric"),
                      r.number("mean"),
                      r.number("std"),
                      r.number("median"),
                      r.number("q25"),
                      r.number("q75"),
                      (long) r.number("n")))
          .build();

  /**
   * What the metrics are computed from: every scored labelmap's fingerprint (which covers its
   * case's input and so the ground truth) and the metric conventions.
   */
  static Fingerprint fingerprint(Settings s, List<Item> items) {
    List<String> labelmaps = new ArrayList<>();
    items.forEach(i -> labelmaps.add(i.labelmapSet() + "/" + i.caseId() + ":" + i.fingerprint()));
    return Fingerprint.builder()
        .addSet("labelmaps", labelmaps)
        .add(
            "convention",
            s.conventions() == null
                ? "auto: brats2020 for 2020/2021 layouts, brats2023-gli for 2023+"
                : s.conventions().id())
        .add("metrics", "v2: brats2020 voxel-surface HD95; brats2023 surfel HD95 + lesion-wise")
        .add("uncertainty", "QU-BraTS 2020: thresholds 100,75,50,25,0; brain mask T1 > 0")
        .build();
  }

  public Result run(SparkSession spark, Settings s, List<Item> items) throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
    List<Outcome> outcomes = new ArrayList<>();
    if (!items.isEmpty()) {
      int slices = Math.max(1, (items.size() + s.casesPerTask() - 1) / s.casesPerTask());
      try (Progress p = Progress.start(spark.sparkContext(), "evaluate: labelmaps", items.size())) {
        var done = p.counter();
        sc.setJobDescription("evaluate " + items.size() + " labelmaps");
        outcomes =
            sc.parallelize(items, slices)
                .mapPartitions(
                    (Iterator<Item> it) -> {
                      FileSystem fs = s.out().fileSystem(conf.get());
                      NiftiReader reader = NiftiReader.withDefaults();
                      // one evaluator per label scheme: it keeps its scratch between cases
                      java.util.Map<LabelScheme, CaseEvaluator> evaluators =
                          new java.util.HashMap<>();
                      List<Outcome> out = new ArrayList<>();
                      while (it.hasNext()) {
                        out.add(score(it.next(), s, fs, conf, reader, evaluators));
                        done.add(1);
                      }
                      return out.iterator();
                    })
                .collect();
      }
    }
    List<MetricRow> rows = new ArrayList<>();
    List<UncertaintyRow> uncertainty = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (Outcome o : outcomes) {
      rows.addAll(o.rows());
      uncertainty.addAll(o.uncertainty());
      if (o.error() != null) {
        errors.add(o.error());
      }
    }
    rows.sort(
        Comparator.comparing(MetricRow::getLabelmapSet)
            .thenComparing(MetricRow::getCaseId)
            .thenComparing(MetricRow::getRegion));
    FileSystem fs = s.out().fileSystem(sc.hadoopConfiguration());
    RunFolder f = new RunFolder(s.out());
    MetricRow.TABLE.write(spark, fs, f.metricsParquet(), f.metricsCsv(), rows);
    List<SummaryRow> summary = summarise(spark.createDataFrame(rows, MetricRow.class));
    SUMMARY.writeCsv(fs, f.summaryCsv(), summary);
    byte[] md = SummaryMarkdown.render(summary).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, f.summaryMd(), o -> o.write(md));
    uncertainty.sort(
        Comparator.comparing(UncertaintyRow::labelmapSet)
            .thenComparing(UncertaintyRow::caseId)
            .thenComparing(r -> Region.valueOf(r.region()).ordinal()));
    UncertaintyRow.TABLE.writeCsv(fs, f.uncertaintyCsv(), uncertainty);
    fingerprint(s, items).write(fs, f.evaluateFingerprint());
    OutputRoot.removeTemporaries(fs, f.evaluateDir(), true);
    LOG.info(
        "evaluate: {} labelmaps scored, {} failed", outcomes.size() - errors.size(), errors.size());
    return new Result(rows, summary, errors, uncertainty);
  }

  /** Mean, population std, exact median and quartiles, count, per (set, region, metric). */
  static List<SummaryRow> summarise(Dataset<Row> table) {
    Dataset<Row> longForm = null;
    for (String m : METRICS) {
      Dataset<Row> one =
          table.select(
              col("labelmapSet"),
              col("convention"),
              col("region"),
              lit(m).as("metric"),
              col(MetricRow.beanProperty(m)).as("value"));
      longForm = longForm == null ? one : longForm.unionByName(one);
    }
    List<Row> agg =
        longForm
            .groupBy("labelmapSet", "convention", "region", "metric")
            .agg(
                mean("value").as("mean"),
                stddev_pop("value").as("std"),
                expr("percentile(value, array(0.5, 0.25, 0.75))").as("q"),
                count("value").as("n"))
            .collectAsList();
    List<SummaryRow> out = new ArrayList<>();
    for (Row r : agg) {
      long n = r.getLong(r.fieldIndex("n"));
      if (n == 0 && r.getString(3).startsWith("lesionwise")) {
        continue; // not scored under this convention
      }
      List<Double> q = n == 0 ? null : r.getList(r.fieldIndex("q"));
      out.add(
          new SummaryRow(
              r.getString(0),
              r.getString(1),
              r.getString(2),
              r.getString(3),
              n == 0 ? Double.NaN : r.getDouble(r.fieldIndex("mean")),
              n == 0 ? Double.NaN : r.getDouble(r.fieldIndex("std")),
              q == null ? Double.NaN : q.get(0),
              q == null ? Double.NaN : q.get(1),
              q == null ? Double.NaN : q.get(2),
              n));
    }
    List<String> metricOrder = List.of(METRICS);
    out.sort(
        Comparator.comparing(SummaryRow::labelmapSet)
            .thenComparing(SummaryRow::convention)
            .thenComparing(r -> metricOrder.indexOf(r.metric()))
            .thenComparing(r -> Region.valueOf(r.region()).ordinal()));
    return out;
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6f", v);
  }

  /** What one task made of one item: rows, or the reason it could not be scored. */
  record Outcome(List<MetricRow> rows, List<UncertaintyRow> uncertainty, String error)
      implements Serializable {
    Outcome(List<MetricRow> rows, String error) {
      this(rows, List.of(), error);
    }
  }

  static Outcome score(
      Item item,
      Settings s,
      FileSystem outFs,
      HadoopConf conf,
      NiftiReader reader,
      java.util.Map<LabelScheme, CaseEvaluator> evaluators) {
    try {
      CaseRecord record = PreparedCaseFiles.readRecord(outFs, new Path(item.caseDir()));
      if (!record.hasLabel()) {
        return new Outcome(
            List.of(), "case " + item.caseId() + " has no ground truth to score against");
      }
      LabelScheme scheme = LabelScheme.parse(record.labelScheme());
      String gtFile = record.sourceFiles().get(4);
      LabelVolume pred = readLabels(item.predFile(), conf, reader);
      LabelVolume gt = readLabels(gtFile, conf, reader);
      CaseEvaluator evaluator =
          evaluators.computeIfAbsent(scheme, k -> new CaseEvaluator(k, s.conventionsFor(k)));
      CaseMetrics m = evaluator.evaluate(pred, gt);
      List<MetricRow> rows = new ArrayList<>();
      for (Region r : Region.values()) {
        RegionMetrics rm = m.get(r);
        rows.add(
            new MetricRow(
                item.labelmapSet(),
                item.caseId(),
                r.name(),
                evaluator.conventions().id(),
                rm.dice(),
                rm.hd95(),
                rm.sensitivity(),
                rm.specificity(),
                rm.lesionwiseDice(),
                rm.lesionwiseHd95()));
      }
      return new Outcome(
          rows, scoreUncertainty(item, record, scheme, pred, gt, conf, reader), null);
    } catch (IOException | RuntimeException e) {
      return new Outcome(
          List.of(),
          item.labelmapSet()
              + " case "
              + item.caseId()
              + ": "
              + (e.getMessage() == null ? e : e.getMessage()));
    }
  }

  /**
   * The QU-BraTS scores of the uncertainty maps beside the labelmap ({@link
   * RunFolder#uncertaintyOf}), one row per region whose map exists; none when it has none. The
   * brain mask is the case's T1 above zero, as the task's evaluation takes it.
   */
  static List<UncertaintyRow> scoreUncertainty(
      Item item,
      CaseRecord record,
      LabelScheme scheme,
      LabelVolume pred,
      LabelVolume gt,
      HadoopConf conf,
      NiftiReader reader)
      throws IOException {
    List<UncertaintyRow> out = new ArrayList<>();
    boolean[] brain = null;
    for (Region r : Region.values()) {
      Path file = RunFolder.uncertaintyOf(new Path(item.predFile()), r);
      if (!file.getFileSystem(conf.get()).exists(file)) {
        continue;
      }
      LabelVolume map = readLabels(file.toString(), conf, reader);
      if (!map.dims().equals(pred.dims())) {
        throw new IllegalArgumentException(
            file.getName() + " has dims " + map.dims() + " but the labelmap " + pred.dims());
      }
      if (brain == null) {
        brain = brainMask(record.t1File(), record.t1Volume(), conf, reader);
        if (brain.length != pred.labels().length) {
          throw new IllegalArgumentException(
              "T1 " + record.t1File() + " has another grid than the labelmap");
        }
      }
      out.add(
          new UncertaintyRow(
              item.labelmapSet(),
              item.caseId(),
              r.name(),
              UncertaintyScore.of(
                  RegionMasks.of(gt, r, scheme),
                  RegionMasks.of(pred, r, scheme),
                  map.labels(),
                  brain)));
    }
    return out;
  }

  /**
   * The voxels where T1 is positive; {@code volume} is the one of a 4-D source file (a Decathlon
   * image) that holds T1, or -1 for a 3-D file.
   */
  private static boolean[] brainMask(String t1File, int volume, HadoopConf conf, NiftiReader reader)
      throws IOException {
    Path p = new Path(t1File);
    FileSystem fs = p.getFileSystem(conf.get());
    float[] t1;
    try (InputStream in = fs.open(p)) {
      long length = fs.getFileStatus(p).getLen();
      t1 =
          volume >= 0
              ? reader.readVolumeImages(in, p.getName(), length).get(volume).toVolume().data()
              : reader.read(in, p.getName(), length).toVolume().data();
    }
    boolean[] brain = new boolean[t1.length];
    for (int i = 0; i < t1.length; i++) {
      brain[i] = t1[i] > 0;
    }
    return brain;
  }

  static LabelVolume readLabels(String file, HadoopConf conf, NiftiReader reader)
      throws IOException {
    Path p = new Path(file);
    FileSystem fs = p.getFileSystem(conf.get());
    try (InputStream in = fs.open(p)) {
      try {
        return reader.readLabels(in, p.getName(), fs.getFileStatus(p).getLen());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(p.getName() + ": " + e.getMessage(), e);
      }
    }
  }
}
