package org.bratscv.jobs.report;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.Volume;
import org.bratscv.jobs.stages.CaseRecord;
import org.bratscv.jobs.stages.MetricRow;
import org.bratscv.jobs.stages.PreparedCaseFiles;

/**
 * The cases the report pictures: the best, median and worst case of a labelmap set by mean Dice
 * over ET, TC and WT, each read back from the archive (T1Gd and ground truth, through {@code
 * case.json}) and from the predictions, and drawn by {@link TumorOverlay}.
 */
final class CaseGallery {
  private CaseGallery() {}

  /** A picked case: why it was picked ("best", "median", ...), its mean and per-region Dice. */
  record Pick(String rank, String caseId, double meanDice, Map<String, Double> dice) {}

  /**
   * The labelmap set the report pictures and ranks: {@code test-merged} if scored, else {@code
   * oof-merged}, else the first set in name order; null when there are no scores.
   */
  static String mainSet(List<MetricRow> scores) {
    TreeMap<String, Boolean> sets = new TreeMap<>();
    scores.forEach(s -> sets.put(s.getLabelmapSet(), true));
    if (sets.isEmpty()) {
      return null;
    }
    for (String preferred : List.of("test-merged", "oof-merged")) {
      if (sets.containsKey(preferred)) {
        return preferred;
      }
    }
    return sets.firstKey();
  }

  /**
   * Best, median and worst case of {@code set} by mean Dice over the three regions (cases missing a
   * region's Dice are left out); a case that holds several ranks is listed once, e.g. "best and
   * median" with two cases. The median is the middle case of the ranking (the upper middle one for
   * an even count).
   */
  static List<Pick> pick(List<MetricRow> scores, String set) {
    Map<String, Map<String, Double>> byCase = new TreeMap<>();
    for (MetricRow s : scores) {
      if (s.getLabelmapSet().equals(set) && !Double.isNaN(s.diceOrNaN())) {
        byCase
            .computeIfAbsent(s.getCaseId(), k -> new LinkedHashMap<>())
            .put(s.getRegion(), s.diceOrNaN());
      }
    }
    List<Pick> ranked = new ArrayList<>();
    for (Map.Entry<String, Map<String, Double>> e : byCase.entrySet()) {
      Map<String, Double> d = e.getValue();
      if (d.keySet().containsAll(List.of("ET", "TC", "WT"))) {
        double mean = (d.get("ET") + d.get("TC") + d.get("WT")) / 3;
        ranked.add(new Pick("", e.getKey(), mean, d));
      }
    }
    ranked.sort(Comparator.comparingDouble(Pick::meanDice).reversed().thenComparing(Pick::caseId));
    if (ranked.isEmpty()) {
      return List.of();
    }
    int n = ranked.size();
    Map<Integer, List<String>> ranks = new TreeMap<>();
    ranks.computeIfAbsent(0, k -> new ArrayList<>()).add("best");
    ranks.computeIfAbsent((n - 1) / 2, k -> new ArrayList<>()).add("median");
    ranks.computeIfAbsent(n - 1, k -> new ArrayList<>()).add("worst");
    List<Pick> out = new ArrayList<>();
    for (Map.Entry<Integer, List<String>> e : ranks.entrySet()) {
      Pick p = ranked.get(e.getKey());
      out.add(new Pick(String.join(" and ", e.getValue()), p.caseId(), p.meanDice(), p.dice()));
    }
    return out;
  }

  /** A drawn case and what the caption says about the picture. */
  record Drawn(TumorOverlay.Rendered rendered, boolean hasLabel, String predictionFile) {}

  /** Reads the case's T1Gd, ground truth and prediction, and draws them. */
  static Drawn draw(
      Configuration hadoop,
      FileSystem outFs,
      RunLayout layout,
      RunLayout.Variant v,
      String set,
      String caseId)
      throws IOException {
    CaseRecord record = null;
    List<Path> tried = layout.caseDirs(v, set, caseId);
    for (Path dir : tried) {
      if (PreparedCaseFiles.isComplete(outFs, dir)) {
        record = PreparedCaseFiles.readRecord(outFs, dir);
        break;
      }
    }
    if (record == null) {
      throw new FileNotFoundException(
          "case " + caseId + ": no " + PreparedCaseFiles.CASE_JSON + " in " + tried);
    }
    Path predFile = layout.prediction(v, set, caseId);
    if (!outFs.exists(predFile)) {
      throw new FileNotFoundException(
          "case " + caseId + ": prediction " + predFile + " is missing");
    }
    LabelScheme scheme = LabelScheme.parse(record.labelScheme());
    NiftiReader reader = NiftiReader.withDefaults();
    Volume t1gd = read(hadoop, new Path(record.t1gdFile()), record.t1gdVolume(), reader);
    LabelVolume gt =
        record.hasLabel()
            ? LabelVolume.fromVolume(read(hadoop, new Path(record.segFile()), reader))
            : null;
    LabelVolume pred = LabelVolume.fromVolume(read(hadoop, predFile, reader));
    TumorOverlay.Rendered r;
    try {
      r = TumorOverlay.render(t1gd, gt, pred, scheme, "prediction " + set);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("case " + caseId + ": " + e.getMessage(), e);
    }
    return new Drawn(r, record.hasLabel(), predFile.toString());
  }

  private static Volume read(Configuration hadoop, Path file, NiftiReader reader)
      throws IOException {
    return read(hadoop, file, -1, reader);
  }

  /** Volume {@code volume} of a 4-D file, or the whole 3-D file when -1. */
  private static Volume read(Configuration hadoop, Path file, int volume, NiftiReader reader)
      throws IOException {
    try {
      FileSystem fs = file.getFileSystem(hadoop);
      if (volume >= 0) {
        try (java.io.InputStream in = fs.open(file)) {
          return reader
              .readVolumeImages(in, file.toString(), fs.getFileStatus(file).getLen())
              .get(volume)
              .toVolume();
        }
      }
      return PreparedCaseFiles.readImage(fs, file, reader).toVolume();
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** "ET 0.812, WT 0.901, TC 0.790": the paper's region order. */
  static String diceText(Map<String, Double> dice) {
    List<String> parts = new ArrayList<>();
    for (Region r : List.of(Region.ET, Region.WT, Region.TC)) {
      Double d = dice.get(r.name());
      parts.add(r.name() + " " + (d == null ? "n/a" : String.format(Locale.ROOT, "%.3f", d)));
    }
    return String.join(", ", parts);
  }
}
