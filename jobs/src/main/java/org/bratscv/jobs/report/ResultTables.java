package org.bratscv.jobs.report;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.io.Csv;
import org.bratscv.jobs.sweep.Comparison;

/**
 * Reads the CSV tables the stages write ({@code evaluate/metrics.csv}, {@code
 * evaluate/summary.csv}, {@code train/log.csv}, a sweep's {@code comparison.csv}) by column name,
 * through the Hadoop file system, into the values the report draws. Undefined numbers (written as
 * {@code NaN} or left empty) are NaN.
 */
final class ResultTables {
  private ResultTables() {}

  /** One region of one case in one labelmap set, from {@code evaluate/metrics.csv}. */
  record CaseScore(String labelmapSet, String caseId, String region, double dice, double hd95) {}

  /** One statistic line of {@code evaluate/summary.csv}. */
  record SummaryCell(
      String labelmapSet, String region, String metric, double mean, double std, long n) {}

  /** One epoch of one training task, from {@code train/log.csv}. */
  record EpochPoint(
      String variant,
      String pipeline,
      int fold,
      int epoch,
      double trainLoss,
      double valLoss,
      double diceEt,
      double diceTc,
      double diceWt) {
    /** Mean validation Dice over ET, TC, WT; NaN on epochs without validation. */
    double meanDice() {
      return (diceEt + diceTc + diceWt) / 3;
    }
  }

  static List<CaseScore> metrics(FileSystem fs, Path file) throws IOException {
    List<CaseScore> out = new ArrayList<>();
    for (Row r : read(fs, file)) {
      out.add(
          new CaseScore(
              r.text("labelmap_set"),
              r.text("case_id"),
              r.text("region"),
              r.number("dice"),
              r.number("hd95")));
    }
    return out;
  }

  static List<SummaryCell> summary(FileSystem fs, Path file) throws IOException {
    List<SummaryCell> out = new ArrayList<>();
    for (Row r : read(fs, file)) {
      out.add(
          new SummaryCell(
              r.text("labelmap_set"),
              r.text("region"),
              r.text("metric"),
              r.number("mean"),
              r.number("std"),
              (long) r.number("n")));
    }
    return out;
  }

  static List<EpochPoint> trainingLog(FileSystem fs, Path file) throws IOException {
    List<EpochPoint> out = new ArrayList<>();
    for (Row r : read(fs, file)) {
      out.add(
          new EpochPoint(
              r.text("variant"),
              r.text("pipeline"),
              (int) r.number("fold"),
              (int) r.number("epoch"),
              r.number("train_loss"),
              r.number("val_loss"),
              r.number("val_dice_et"),
              r.number("val_dice_tc"),
              r.number("val_dice_wt")));
    }
    return out;
  }

  /**
   * The training log of the run under {@code trainDir}: {@code log.csv}, which the train stage
   * writes at its end, unless it is missing or a task's own {@code
   * <variant>/<pipeline>/fold<k>/log.csv} is newer (a training under way, or rerun since); then the
   * tasks' logs together, which each task rewrites after every epoch: the curves so far.
   */
  static List<EpochPoint> trainingLogSoFar(FileSystem fs, Path trainDir) throws IOException {
    Path whole = new Path(trainDir, "log.csv");
    FileStatus[] found = fs.globStatus(new Path(trainDir, "*/*/fold*/log.csv"));
    List<FileStatus> tasks = found == null ? List.of() : List.of(found);
    long newestTask = tasks.stream().mapToLong(FileStatus::getModificationTime).max().orElse(-1);
    if (tasks.isEmpty()
        || (fs.exists(whole) && fs.getFileStatus(whole).getModificationTime() >= newestTask)) {
      return trainingLog(fs, whole);
    }
    List<EpochPoint> out = new ArrayList<>();
    for (FileStatus task : tasks.stream().sorted(Comparator.comparing(f -> f.getPath())).toList()) {
      out.addAll(trainingLog(fs, task.getPath()));
    }
    return out;
  }

  /** A sweep's {@code comparison.csv}, as the sweep computed it. */
  static List<Comparison.Row> comparison(FileSystem fs, Path file) throws IOException {
    List<Comparison.Row> out = new ArrayList<>();
    for (Row r : read(fs, file)) {
      out.add(
          new Comparison.Row(
              r.text("variant"),
              r.text("baseline"),
              r.text("labelmap_set"),
              r.text("region"),
              r.text("metric"),
              r.number("mean"),
              r.number("std"),
              (int) r.number("folds"),
              r.number("baseline_mean"),
              r.number("baseline_std"),
              r.number("delta"),
              r.number("p_value"),
              (int) r.number("n_cases")));
    }
    return out;
  }

  /** One record of a table with a header, read by column name. */
  record Row(Path file, int line, Map<String, Integer> columns, String[] values) {
    String text(String column) throws IOException {
      Integer i = columns.get(column);
      if (i == null) {
        throw new IOException(file + ": no column '" + column + "' in the header");
      }
      if (i >= values.length) {
        throw new IOException(
            file + " record " + line + ": " + values.length + " fields, no '" + column + "'");
      }
      return values[i];
    }

    /** The number in {@code column}; NaN for "NaN" or an empty field. */
    double number(String column) throws IOException {
      String v = text(column).trim();
      if (v.isEmpty()) {
        return Double.NaN;
      }
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new IOException(
            file + " record " + line + ": " + column + " '" + v + "' is not a number", e);
      }
    }
  }

  static List<Row> read(FileSystem fs, Path file) throws IOException {
    if (!fs.exists(file)) {
      throw new FileNotFoundException(file + " does not exist");
    }
    String text;
    try (InputStream in = fs.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String[]> records;
    try {
      records = Csv.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    if (records.isEmpty()) {
      throw new IOException(file + " is empty (no header)");
    }
    Map<String, Integer> columns = new HashMap<>();
    String[] header = records.get(0);
    for (int i = 0; i < header.length; i++) {
      columns.put(header[i].trim(), i);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < records.size(); i++) {
      rows.add(new Row(file, i + 1, columns, records.get(i)));
    }
    return rows;
  }
}
