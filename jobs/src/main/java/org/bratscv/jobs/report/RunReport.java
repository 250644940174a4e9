package org.bratscv.jobs.report;

import java.awt.AWTError;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.report.ReportDocument.Figure;
import org.bratscv.jobs.run.Provenance;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.stages.EpochRow;
import org.bratscv.jobs.stages.EvaluateStage;
import org.bratscv.jobs.stages.EvaluateStage.SummaryRow;
import org.bratscv.jobs.stages.MetricRow;
import org.bratscv.jobs.stages.UncertaintyRow;
import org.bratscv.jobs.sweep.Comparison;
import org.bratscv.jobs.sweep.MemberSelection;
import org.bratscv.jobs.sweep.SelectedEnsemble;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report of a finished run, written from what the stages left under the output root: {@code
 * report/index.html} (one self-contained page: inline style, images by relative links, nothing
 * fetched from the network), {@code report/report.md} (the same content as Markdown) and the images
 * under {@code report/img/}. It shows the results table, Dice box plots per region, HD95
 * distributions, training curves per pipeline and fold, and the best, median and worst case drawn
 * over their T1Gd; for a sweep root also the comparison of the variants, with plots per variant.
 *
 * <p>Every part is optional: a part whose input is missing or unreadable (no test set, no training
 * log, a case image that cannot be read) says "not available" and why, and the rest is written.
 * Reads and writes go through the Hadoop file system, so the root may be on {@code hdfs:} or {@code
 * s3a:}.
 */
public final class RunReport {
  private static final Logger LOG = LoggerFactory.getLogger(RunReport.class);

  public static final String FOLDER = "report";
  public static final String HTML = "index.html";
  public static final String MARKDOWN = "report.md";
  public static final String IMAGES = "img";

  /** Regions in the paper's order (ET, WT, TC), with their chart colours. */
  private static final List<String> REGIONS = List.of("ET", "WT", "TC");

  private static final Color[] REGION_COLOURS = {ReportCharts.ET, ReportCharts.WT, ReportCharts.TC};

  private final Configuration hadoop;
  private final OutputRoot root;
  private final FileSystem fs;
  private final ReportDocument doc;
  private final List<String> written = new ArrayList<>();

  private RunReport(Configuration hadoop, OutputRoot root, FileSystem fs, String title) {
    this.hadoop = hadoop;
    this.root = root;
    this.fs = fs;
    this.doc = new ReportDocument(title);
  }

  /**
   * Writes the report of the run (cross-validation or sweep) under {@code root} and returns the
   * path of its {@code index.html}.
   *
   * @throws FileNotFoundException when {@code root} does not exist
   * @throws IOException when the report files cannot be written
   */
  public static Path write(Configuration hadoop, OutputRoot root) throws IOException {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // charts and overlays need no display
    }
    FileSystem fs = root.fileSystem(hadoop);
    if (!fs.isDirectory(root.path())) {
      throw new FileNotFoundException(
          "no run outputs at " + root.uri() + ": the folder does not exist");
    }
    RunLayout layout = RunLayout.detect(fs, root);
    RunReport r = new RunReport(hadoop, root, fs, "brats-cv report: " + root.path().getName());
    // images of an earlier report that this one may not draw again
    fs.delete(root.resolve(FOLDER, IMAGES), true);
    r.build(layout);
    Path html = root.resolve(FOLDER, HTML);
    byte[] page = r.doc.html().getBytes(StandardCharsets.UTF_8);
    byte[] md = r.doc.markdown().getBytes(StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, root.resolve(FOLDER, MARKDOWN), o -> o.write(md));
    OutputRoot.writeAtomically(fs, html, o -> o.write(page));
    LOG.info("report: {} ({} images)", html, r.written.size());
    return html;
  }

  /** A part of the report that may fail on its own. */
  private interface Part {
    void build() throws Exception;
  }

  /**
   * Runs {@code part}; if it fails, the report says that {@code what} is not available, and why.
   */
  private void part(String what, Part part) {
    try {
      part.build();
    } catch (FileNotFoundException e) {
      doc.unavailable(what, message(e));
    } catch (java.io.IOException e) {
      // missing or unreadable input: the page says why, no stack trace needed
      LOG.info("report: {} not available: {}", what, message(e));
      doc.unavailable(what, message(e));
    } catch (Exception | LinkageError | AWTError e) {
      LOG.warn("report: {} not available", what, e);
      doc.unavailable(what, message(e));
    }
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private void build(RunLayout layout) {
    Map<String, List<MetricRow>> scores = new LinkedHashMap<>();
    Map<String, String> scoreErrors = new LinkedHashMap<>();
    for (RunLayout.Variant v : layout.variants()) {
      try {
        scores.put(v.label(), MetricRow.TABLE.read(fs, new RunFolder(v.results()).metricsCsv()));
      } catch (IOException | RuntimeException e) {
        scoreErrors.put(v.label(), message(e));
      }
    }
    if (layout.sweep()) {
      doc.paragraph(
          "Sweep of "
              + layout.variants().size()
              + " variants at "
              + root.uri()
              + ": the variants share the preprocessed cases, the folds and the training stage;"
              + " each has its own predictions and scores under variants/<variant>/.");
      sweepComparison();
      selectedEnsemble();
      summaryTables(layout);
      uncertaintyTable(layout);
      sweepBoxes(layout, scores, scoreErrors);
    } else {
      doc.paragraph("Cross-validation run at " + root.uri() + ".");
      summaryTables(layout);
      uncertaintyTable(layout);
      cvBoxes(scores.get("run"), scoreErrors.get("run"));
    }
    trainingCurves(layout.sweep());
    cases(layout, scores, scoreErrors);
    provenance();
  }

  /** What made the run: code, runtime, devices, configuration, inputs and outputs' fingerprints. */
  private void provenance() {
    doc.heading(1, "Provenance");
    part(
        "the provenance record",
        () -> {
          Provenance p = Provenance.read(fs, new RunFolder(root).provenance());
          List<List<String>> rows = new ArrayList<>();
          rows.add(
              List.of(
                  "brats-cv",
                  p.code().version()
                      + ", commit "
                      + p.code().gitCommit()
                      + (p.code().gitDirty() ? " (with uncommitted changes)" : "")));
          rows.add(List.of("Java", p.runtime().java()));
          rows.add(List.of("Spark", p.runtime().spark()));
          rows.add(
              List.of(
                  "DJL / libtorch",
                  p.runtime().djl()
                      + " / "
                      + p.runtime().libtorch()
                      + " ("
                      + p.runtime().libtorchSource()
                      + ")"));
          rows.add(
              List.of(
                  "devices",
                  "master "
                      + p.devices().sparkMaster()
                      + ", GPUs per executor "
                      + p.devices().executorGpus()
                      + ", training on "
                      + p.devices().training()));
          rows.add(List.of("configuration", "config.yaml, SHA-256 " + p.configSha256()));
          rows.add(
              List.of(
                  "inputs",
                  p.inputs().cases().size()
                      + " cases, fingerprint "
                      + p.inputs().fingerprint()
                      + " (per case in provenance.json)"));
          p.outputs().forEach((k, v) -> rows.add(List.of(k, v)));
          rows.add(List.of("recorded", p.written()));
          doc.paragraph(
              "Fingerprints are SHA-256 hashes of what made each output; a rerun redoes exactly"
                  + " the outputs whose fingerprint changed (README, \"Reruns and provenance\").");
          doc.table(List.of("what", "value"), rows);
        });
  }

  // ---- tables

  private void summaryTables(RunLayout layout) {
    doc.heading(1, "Results");
    List<List<String>> rows = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<RunLayout.Variant> results = new ArrayList<>(layout.variants());
    RunFolder selected = new RunFolder(root).ensemble();
    try {
      if (layout.sweep() && fs.exists(selected.summaryCsv())) {
        results.add(new RunLayout.Variant(SelectedEnsemble.VARIANT, selected.root()));
      }
    } catch (IOException e) {
      missing.add(message(e));
    }
    List<String> metrics = new ArrayList<>(List.of("dice", "hd95"));
    List<Map<String, Map<String, SummaryRow>>> read = new ArrayList<>();
    List<RunLayout.Variant> readFrom = new ArrayList<>();
    for (RunLayout.Variant v : results) {
      Path file = new RunFolder(v.results()).summaryCsv();
      try {
        Map<String, Map<String, SummaryRow>> bySet = new TreeMap<>();
        for (SummaryRow c : EvaluateStage.SUMMARY.read(fs, file)) {
          bySet
              .computeIfAbsent(c.labelmapSet() + "\t" + c.convention(), k -> new LinkedHashMap<>())
              .put(c.metric() + "/" + c.region(), c);
          if (c.metric().startsWith("lesionwise") && !metrics.contains("lesionwise_dice")) {
            metrics.addAll(List.of("lesionwise_dice", "lesionwise_hd95"));
          }
        }
        read.add(bySet);
        readFrom.add(v);
      } catch (IOException | RuntimeException e) {
        missing.add(message(e));
      }
    }
    for (int i = 0; i < read.size(); i++) {
      for (Map.Entry<String, Map<String, SummaryRow>> e : read.get(i).entrySet()) {
        List<String> row = new ArrayList<>();
        if (layout.sweep()) {
          row.add(readFrom.get(i).name());
        }
        row.addAll(List.of(e.getKey().split("\t", 2)));
        for (String metric : metrics) {
          for (String region : REGIONS) {
            SummaryRow c = e.getValue().get(metric + "/" + region);
            row.add(c == null ? "" : meanStd(c.mean(), c.std(), metric));
          }
        }
        SummaryRow wt = e.getValue().get("dice/WT");
        row.add(wt == null ? "" : Long.toString(wt.n()));
        rows.add(row);
      }
    }
    if (!rows.isEmpty()) {
      List<String> header = new ArrayList<>();
      if (layout.sweep()) {
        header.add("variant");
      }
      header.addAll(List.of("labelmap set", "convention"));
      for (String metric : metrics) {
        for (String region : REGIONS) {
          header.add(
              switch (metric) {
                    case "dice" -> "Dice ";
                    case "hd95" -> "HD95 ";
                    case "lesionwise_dice" -> "LW Dice ";
                    default -> "LW HD95 ";
                  }
                  + region
                  + (metric.contains("hd95") ? " (mm)" : ""));
        }
      }
      header.add("cases");
      doc.paragraph(
          "Mean ± standard deviation over the cases of each labelmap set (evaluate/summary.csv):"
              + " oof-* are the training cases scored out of fold, test-* the test archive scored"
              + " by the whole ensemble; *-merged is the two-pass merge of the pipelines. The"
              + " convention column names the metric convention (README, \"Metric conventions\");"
              + " LW = lesion-wise, scored under brats2023.");
      doc.table(header, rows);
    }
    for (String m : missing) {
      doc.unavailable("results table", m);
    }
  }

  /**
   * The mean QU-BraTS uncertainty score per labelmap set and region (evaluate/uncertainty.csv);
   * nothing for runs made before uncertainty maps existed.
   */
  private void uncertaintyTable(RunLayout layout) {
    List<List<String>> rows = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (RunLayout.Variant v : layout.variants()) {
      Path file = new RunFolder(v.results()).uncertaintyCsv();
      try {
        if (!fs.exists(file)) {
          continue;
        }
        Map<String, Map<String, List<Double>>> bySet = new TreeMap<>();
        for (UncertaintyRow r : UncertaintyRow.TABLE.read(fs, file)) {
          bySet
              .computeIfAbsent(r.labelmapSet(), k -> new LinkedHashMap<>())
              .computeIfAbsent(r.region(), k -> new ArrayList<>())
              .add(r.score().score());
        }
        for (Map.Entry<String, Map<String, List<Double>>> e : bySet.entrySet()) {
          List<String> row = new ArrayList<>();
          if (layout.sweep()) {
            row.add(v.name());
          }
          row.add(e.getKey());
          int cases = 0;
          for (String region : REGIONS) {
            List<Double> scores = e.getValue().getOrDefault(region, List.of());
            cases = Math.max(cases, scores.size());
            double mean = scores.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            row.add(scores.isEmpty() ? "" : String.format(Locale.ROOT, "%.3f", mean));
          }
          row.add(Integer.toString(cases));
          rows.add(row);
        }
      } catch (IOException | RuntimeException e) {
        missing.add(message(e));
      }
    }
    if (!rows.isEmpty()) {
      List<String> header = new ArrayList<>();
      if (layout.sweep()) {
        header.add("variant");
      }
      header.addAll(List.of("labelmap set", "score ET", "score WT", "score TC", "cases"));
      doc.paragraph(
          "Uncertainty maps scored as the BraTS 2020 uncertainty task did"
              + " (evaluate/uncertainty.csv): per region (AUC(Dice) + 1 - AUC(FTP) + 1 -"
              + " AUC(FTN)) / 3 over the thresholds 100, 75, 50, 25, 0, mean over the cases;"
              + " 1 is best.");
      doc.table(header, rows);
    }
    for (String m : missing) {
      doc.unavailable("uncertainty table", m);
    }
  }

  private static String meanStd(double mean, double std, String metric) {
    String f = metric.contains("dice") ? "%.3f ± %.3f" : "%.2f ± %.2f";
    return Double.isNaN(mean) ? "n/a" : String.format(Locale.ROOT, f, mean, std);
  }

  private void sweepComparison() {
    doc.heading(1, "Variant comparison");
    part(
        "comparison of the variants",
        () -> {
          List<Comparison.Row> rows =
              Comparison.TABLE.read(fs, new RunFolder(root).comparisonCsv());
          if (rows.isEmpty()) {
            throw new IOException("comparison.csv has no rows");
          }
          List<List<String>> table = new ArrayList<>();
          for (Comparison.Row r : rows) {
            table.add(
                List.of(
                    r.variant(),
                    r.labelmapSet(),
                    r.region(),
                    r.metric(),
                    meanStd(r.mean(), r.std(), r.metric()),
                    meanStd(r.baselineMean(), r.baselineStd(), r.metric()),
                    Double.isNaN(r.delta())
                        ? ""
                        : String.format(
                            Locale.ROOT, r.metric().equals("dice") ? "%+.3f" : "%+.2f", r.delta()),
                    Double.isNaN(r.pValue()) ? "" : String.format(Locale.ROOT, "%.3g", r.pValue()),
                    Integer.toString(r.folds()),
                    Integer.toString(r.pairs())));
          }
          doc.paragraph(
              "Each variant against the baseline "
                  + rows.get(0).baseline()
                  + " (comparison.csv): mean ± std over the folds of the per-fold mean, the"
                  + " difference to the baseline, and the p-value of a paired Wilcoxon test over"
                  + " the cases (empty for the baseline itself).");
          doc.table(
              List.of(
                  "variant",
                  "labelmap set",
                  "region",
                  "metric",
                  "mean ± std",
                  "baseline",
                  "delta",
                  "p",
                  "folds",
                  "cases"),
              table);
        });
  }

  /** A sweep's selected ensemble: every candidate of ensemble.csv with its scores. */
  private void selectedEnsemble() {
    Path file = new RunFolder(root).ensembleCsv();
    try {
      if (!fs.exists(file)) {
        return;
      }
    } catch (IOException e) {
      doc.unavailable("the selected ensemble", message(e));
      return;
    }
    doc.heading(1, "Selected ensemble");
    part(
        "the selected ensemble",
        () -> {
          List<MemberSelection.Candidate> rows = MemberSelection.TABLE.read(fs, file);
          List<List<String>> table = new ArrayList<>();
          for (MemberSelection.Candidate c : rows) {
            table.add(
                List.of(
                    c.selected() ? "yes" : "",
                    c.variant(),
                    c.pipeline(),
                    Integer.toString(c.fold()),
                    dice(c.validationDice()),
                    dice(c.diceEt()),
                    dice(c.diceTc()),
                    dice(c.diceWt()),
                    Integer.toString(c.cases()),
                    c.rank() == 0 ? "" : Integer.toString(c.rank()),
                    c.rule()));
          }
          long n = rows.stream().filter(MemberSelection.Candidate::selected).count();
          doc.paragraph(
              n
                  + " models form the ensemble that segments the test archive (ensemble.csv):"
                  + " each candidate's validation Dice is the mean over ET, TC and WT of its"
                  + " fold's validation cases' Dice, from its variant's out-of-fold labelmaps;"
                  + " rank 1 is the best of its fold. The ensemble's test scores are the rows of"
                  + " '"
                  + SelectedEnsemble.VARIANT
                  + "' in the results below.");
          doc.table(
              List.of(
                  "member",
                  "variant",
                  "pipeline",
                  "fold",
                  "validation Dice",
                  "Dice ET",
                  "Dice TC",
                  "Dice WT",
                  "cases",
                  "rank",
                  "rule"),
              table);
        });
  }

  private static String dice(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }

  // ---- Dice and HD95 plots

  private void cvBoxes(List<MetricRow> scores, String error) {
    doc.heading(1, "Dice per region");
    if (scores == null) {
      doc.unavailable("Dice box plots", error);
      doc.heading(1, "HD95 distributions");
      doc.unavailable("HD95 distributions", error);
      return;
    }
    TreeSet<String> sets = new TreeSet<>();
    scores.forEach(s -> sets.add(s.getLabelmapSet()));
    if (sets.isEmpty()) {
      doc.unavailable("Dice box plots", "evaluate/metrics.csv has no rows");
    }
    doc.paragraph(
        "Dice of every case (dots) per region, one chart per labelmap set; box: quartiles and"
            + " median, whiskers: the most extreme values within 1.5 IQR.");
    List<Figure> dice = new ArrayList<>();
    for (String set : sets) {
      part(
          "Dice box plot of " + set,
          () -> {
            Map<String, double[]> series = new LinkedHashMap<>();
            for (String region : REGIONS) {
              series.put(region, values(scores, set, region, true));
            }
            dice.add(
                chart(
                    "dice-" + set,
                    ReportCharts.boxes("Dice per region, " + set, "Dice", series, REGION_COLOURS),
                    "Dice per region, " + set,
                    ""));
          });
    }
    doc.figures(dice);

    doc.heading(1, "HD95 distributions");
    if (!sets.isEmpty()) {
      doc.paragraph(
          "Hausdorff distance (95th percentile, mm) of every case per region; a region missing in"
              + " exactly one of prediction and ground truth counts as the empty-mask value.");
    }
    List<Figure> hd = new ArrayList<>();
    for (String set : sets) {
      part(
          "HD95 distribution of " + set,
          () -> {
            Map<String, double[]> series = new LinkedHashMap<>();
            for (String region : REGIONS) {
              series.put(region, values(scores, set, region, false));
            }
            hd.add(
                chart(
                    "hd95-" + set,
                    ReportCharts.histogram(
                        "HD95 per region, " + set, "HD95 (mm)", series, REGION_COLOURS, 20),
                    "HD95 distribution, " + set,
                    ""));
          });
    }
    doc.figures(hd);
  }

  private void sweepBoxes(
      RunLayout layout, Map<String, List<MetricRow>> scores, Map<String, String> errors) {
    doc.heading(1, "Dice and HD95 per variant");
    for (Map.Entry<String, String> e : errors.entrySet()) {
      doc.unavailable("scores of variant " + e.getKey(), e.getValue());
    }
    Map<String, String> mainSets = new LinkedHashMap<>();
    for (Map.Entry<String, List<MetricRow>> e : scores.entrySet()) {
      String set = CaseGallery.mainSet(e.getValue());
      if (set != null) {
        mainSets.put(e.getKey(), set);
      }
    }
    if (mainSets.isEmpty()) {
      doc.unavailable("plots per variant", "no variant has scored cases");
      return;
    }
    List<String> which = new ArrayList<>();
    mainSets.forEach((v, s) -> which.add(v + ": " + s));
    doc.paragraph(
        "Every case's score per region, the variants side by side (labelmap set "
            + String.join(", ", which)
            + ").");
    Color[] colours = new Color[mainSets.size()];
    for (int i = 0; i < colours.length; i++) {
      colours[i] = ReportCharts.palette(i);
    }
    for (boolean isDice : new boolean[] {true, false}) {
      List<Figure> figs = new ArrayList<>();
      for (String region : REGIONS) {
        String metric = isDice ? "Dice" : "HD95";
        part(
            metric + " of the variants, " + region,
            () -> {
              Map<String, double[]> series = new LinkedHashMap<>();
              mainSets.forEach(
                  (v, set) -> series.put(v, values(scores.get(v), set, region, isDice)));
              figs.add(
                  chart(
                      (isDice ? "dice-" : "hd95-") + region + "-variants",
                      ReportCharts.boxes(
                          metric + " " + region + " per variant",
                          isDice ? "Dice" : "HD95 (mm)",
                          series,
                          colours),
                      metric + " " + region + " per variant",
                      ""));
            });
      }
      doc.figures(figs);
    }
  }

  private static double[] values(List<MetricRow> scores, String set, String region, boolean dice) {
    return scores.stream()
        .filter(s -> s.getLabelmapSet().equals(set) && s.getRegion().equals(region))
        .mapToDouble(s -> dice ? s.diceOrNaN() : s.hd95OrNaN())
        .filter(v -> !Double.isNaN(v))
        .toArray();
  }

  // ---- training curves

  /**
   * The training log of a run: {@code train/log.csv}, which the train stage writes at its end,
   * unless it is missing or a task's own log is newer (a training under way, or rerun since); then
   * the tasks' logs together, which each task rewrites after every epoch: the curves so far.
   */
  static List<EpochRow> trainingLogSoFar(FileSystem fs, RunFolder run) throws IOException {
    Path whole = run.trainLogCsv();
    FileStatus[] found = fs.globStatus(run.taskLogs());
    List<FileStatus> tasks = found == null ? List.of() : List.of(found);
    long newestTask = tasks.stream().mapToLong(FileStatus::getModificationTime).max().orElse(-1);
    if (tasks.isEmpty()
        || (fs.exists(whole) && fs.getFileStatus(whole).getModificationTime() >= newestTask)) {
      return EpochRow.TABLE.read(fs, whole);
    }
    List<EpochRow> out = new ArrayList<>();
    for (FileStatus task :
        tasks.stream().sorted(Comparator.comparing(FileStatus::getPath)).toList()) {
      out.addAll(readTaskLog(fs, task.getPath()));
    }
    return out;
  }

  /** A running task's log, which the task replaces after every epoch. */
  static List<EpochRow> readTaskLog(FileSystem fs, Path log) throws IOException {
    return EpochRow.TABLE.parse(
        new String(OutputRoot.readReplaced(fs, log), StandardCharsets.UTF_8), log.toString());
  }

  private void trainingCurves(boolean sweep) {
    doc.heading(1, "Training curves");
    part(
        "training curves",
        () -> {
          List<EpochRow> log = trainingLogSoFar(fs, new RunFolder(root));
          if (log.isEmpty()) {
            throw new IOException("train/log.csv and the tasks' logs have no epochs");
          }
          Map<String, List<EpochRow>> byPipeline = new TreeMap<>();
          log.forEach(
              p -> byPipeline.computeIfAbsent(p.getPipeline(), k -> new ArrayList<>()).add(p));
          List<String> variants =
              log.stream().map(EpochRow::getVariant).distinct().sorted().toList();
          doc.paragraph(
              (sweep ? "One line per variant and fold, coloured by variant." : "One line per fold.")
                  + " Loss: solid training loss per epoch, dashed validation loss; validation"
                  + " Dice: mean of ET, TC and WT on the fold's held-out cases, at the epochs that"
                  + " were validated (train/log.csv; during a training the tasks' own logs,"
                  + " the epochs so far).");
          for (Map.Entry<String, List<EpochRow>> e : byPipeline.entrySet()) {
            String pipeline = e.getKey();
            List<Figure> figs = new ArrayList<>();
            part(
                "loss curves of pipeline " + pipeline,
                () -> figs.add(curves(pipeline, e.getValue(), variants, sweep, true)));
            part(
                "validation Dice of pipeline " + pipeline,
                () -> figs.add(curves(pipeline, e.getValue(), variants, sweep, false)));
            doc.figures(figs);
          }
        });
  }

  private Figure curves(
      String pipeline, List<EpochRow> points, List<String> variants, boolean sweep, boolean loss)
      throws IOException {
    Map<String, List<EpochRow>> byTask = new TreeMap<>();
    for (EpochRow p : points) {
      String key = (sweep ? p.getVariant() + " " : "") + "fold " + p.getFold();
      byTask.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
    }
    List<ReportCharts.Curve> curves = new ArrayList<>();
    Set<String> inLegend = new HashSet<>();
    for (Map.Entry<String, List<EpochRow>> e : byTask.entrySet()) {
      List<EpochRow> ps = new ArrayList<>(e.getValue());
      ps.sort(Comparator.comparingInt(EpochRow::getEpoch));
      EpochRow first = ps.get(0);
      Color colour =
          ReportCharts.palette(sweep ? variants.indexOf(first.getVariant()) : first.getFold());
      String legendName = sweep ? first.getVariant() : e.getKey();
      boolean legend = inLegend.add(legendName);
      if (loss) {
        curves.add(
            curve(e.getKey(), legendName, ps, EpochRow::getTrainLoss, colour, false, legend));
        curves.add(
            curve(
                e.getKey() + " val",
                "",
                ps,
                r -> r.getValidationLoss() == null ? Double.NaN : r.getValidationLoss(),
                colour,
                true,
                false));
      } else {
        curves.add(
            curve(e.getKey(), legendName, ps, EpochRow::meanValidationDice, colour, false, legend));
      }
    }
    String what = loss ? "loss" : "validation Dice";
    if (curves.stream().allMatch(c -> c.x().length == 0)) {
      throw new IOException("train/log.csv has no " + what + " of pipeline " + pipeline);
    }
    XYChart chart =
        ReportCharts.curves(
            "Pipeline " + pipeline + ": " + what, "epoch", loss ? "loss" : "mean Dice", curves);
    if (!loss) {
      chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    }
    return chart(
        (loss ? "loss-" : "val-dice-") + pipeline,
        chart,
        "Pipeline " + pipeline + ": " + what + " per epoch",
        "");
  }

  /** The points of {@code ps} where {@code value} is defined, as a curve. */
  private static ReportCharts.Curve curve(
      String id,
      String legendName,
      List<EpochRow> ps,
      ToDoubleFunction<EpochRow> value,
      Color colour,
      boolean dashed,
      boolean legend) {
    List<double[]> xy = new ArrayList<>();
    for (EpochRow p : ps) {
      double v = value.applyAsDouble(p);
      if (!Double.isNaN(v)) {
        xy.add(new double[] {p.getEpoch(), v});
      }
    }
    double[] x = new double[xy.size()];
    double[] y = new double[xy.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = xy.get(i)[0];
      y[i] = xy.get(i)[1];
    }
    // XChart names series uniquely and shows the name in the legend: the legend name when shown
    String name = legend ? legendName : id;
    return new ReportCharts.Curve(name, x, y, colour, dashed, legend);
  }

  // ---- cases

  private void cases(
      RunLayout layout, Map<String, List<MetricRow>> scores, Map<String, String> errors) {
    doc.heading(1, "Best, median and worst case");
    RunLayout.Variant v = galleryVariant(layout, scores);
    if (v == null || !scores.containsKey(v.label())) {
      doc.unavailable(
          "case pictures",
          v == null
              ? "no variant has scored cases"
              : errors.getOrDefault(v.label(), "no scores of " + v.label()));
      return;
    }
    List<MetricRow> s = scores.get(v.label());
    String set = CaseGallery.mainSet(s);
    List<CaseGallery.Pick> picks = set == null ? List.of() : CaseGallery.pick(s, set);
    if (picks.isEmpty()) {
      doc.unavailable("case pictures", "no case has a Dice for ET, TC and WT");
      return;
    }
    doc.paragraph(
        "Cases of "
            + (layout.sweep() ? "variant " + v.name() + ", " : "")
            + "labelmap set "
            + set
            + " ranked by mean Dice over ET, TC and WT. Axial slice with the largest tumor area in"
            + " the ground truth, radiological view (anterior up, the patient's right on the"
            + " left); T1Gd in grey (1st to 99th percentile of the brain), enhancing tumor red,"
            + " NCR/NET green, edema yellow. Left: ground truth, right: prediction.");
    List<Figure> figs = new ArrayList<>();
    for (CaseGallery.Pick p : picks) {
      String what = p.rank() + " case " + p.caseId();
      part(
          "picture of the " + what,
          () -> {
            CaseGallery.Drawn d = CaseGallery.draw(hadoop, fs, layout, v, set, p.caseId());
            TumorOverlay.Rendered r = d.rendered();
            String caption =
                String.format(
                    Locale.ROOT,
                    "%s: %s, mean Dice %.3f (%s); slice %d along voxel axis %s",
                    p.rank(),
                    p.caseId(),
                    p.meanDice(),
                    CaseGallery.diceText(p.dice()),
                    r.slice(),
                    "xyz".charAt(r.sliceAxis()));
            figs.add(
                image(
                    "case-" + p.rank().replace(" and ", "-") + "-" + p.caseId(),
                    r.image(),
                    what,
                    caption));
          });
    }
    doc.figures(figs);
  }

  /** The variant whose cases are pictured: the sweep's baseline, else the first with scores. */
  private RunLayout.Variant galleryVariant(RunLayout layout, Map<String, List<MetricRow>> scores) {
    if (!layout.sweep()) {
      return layout.variants().get(0);
    }
    String baseline = null;
    try {
      List<Comparison.Row> rows = Comparison.TABLE.read(fs, new RunFolder(root).comparisonCsv());
      baseline = rows.isEmpty() ? null : rows.get(0).baseline();
    } catch (IOException | RuntimeException e) {
      // no comparison: take the first variant with scores
    }
    for (RunLayout.Variant v : layout.variants()) {
      if (v.name().equals(baseline)) {
        return v;
      }
    }
    for (RunLayout.Variant v : layout.variants()) {
      if (scores.containsKey(v.label())) {
        return v;
      }
    }
    return null;
  }

  // ---- images

  private Figure chart(String name, Chart<?, ?> chart, String alt, String caption)
      throws IOException {
    byte[] png = ReportCharts.png(chart);
    String file = writeImage(name, png);
    return new Figure(file, alt, caption, chart.getWidth(), chart.getHeight());
  }

  private Figure image(String name, BufferedImage img, String alt, String caption)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, "png", out)) {
      throw new IOException("no PNG writer in this Java runtime");
    }
    String file = writeImage(name, out.toByteArray());
    return new Figure(file, alt, caption, img.getWidth(), img.getHeight());
  }

  /** Writes {@code img/<name>.png} (name made file-safe) and returns its relative path. */
  private String writeImage(String name, byte[] png) throws IOException {
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
    String file = safe + ".png";
    int k = 2;
    while (written.contains(file)) {
      file = safe + "-" + k++ + ".png";
    }
    String f = file;
    OutputRoot.writeAtomically(fs, root.resolve(FOLDER, IMAGES, f), o -> o.write(png));
    written.add(f);
    return IMAGES + "/" + f;
  }
}
