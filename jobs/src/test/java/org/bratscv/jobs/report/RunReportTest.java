package org.bratscv.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.jobs.io.OutputRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
  /** Size of a case picture of {@link FakeRunRoot#DIMS} (48 x 40 voxels of 1 mm per slice). */
  static final int OVERLAY_WIDTH = 2 * 256 + 3 * TumorOverlay.PAD;

  static final int OVERLAY_HEIGHT =
      (int) Math.round(40 * 256 / 48.0) + TumorOverlay.TITLE + 2 * TumorOverlay.PAD;

  @TempDir Path dir;

  @Test
  void crossValidationReportShowsEveryPartWithImagesThatExist() throws IOException {
    Path root = FakeRunRoot.crossValidation(dir);
    org.apache.hadoop.fs.Path html =
        RunReport.write(new Configuration(), new OutputRoot(root.toString()));
    Path report = root.resolve("report");
    assertEquals(report.resolve("index.html").toUri().getPath(), html.toUri().getPath());
    String page = Files.readString(report.resolve("index.html"));
    String md = Files.readString(report.resolve("report.md"));
    assertFalse(page.contains("not available"), page);
    assertOffline(page);
    List<String> images = linkedFilesExist(report, page);
    assertEquals(new TreeSet<>(images), new TreeSet<>(markdownImages(md)));
    assertEquals(new TreeSet<>(images), filesIn(report.resolve("img")));

    // the provenance record closes the page: the configuration's hash, the inputs, the models
    var provenance =
        org.bratscv.jobs.run.Provenance.read(
            org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
            new org.apache.hadoop.fs.Path(root.resolve("provenance.json").toString()));
    for (String shown :
        List.of(
            "Provenance",
            provenance.configSha256(),
            provenance.inputs().fingerprint(),
            "model baseline/A/fold0",
            provenance.runtime().djl())) {
      assertTrue(page.contains(shown), shown);
      assertTrue(md.contains(shown), shown);
    }

    // one Dice box plot and one HD95 histogram per labelmap set, two charts per pipeline
    List<String> charts = new ArrayList<>();
    for (String set : List.of("oof-A", "oof-B", "oof-merged", "test-A", "test-B", "test-merged")) {
      charts.add("img/dice-" + set + ".png");
      charts.add("img/hd95-" + set + ".png");
    }
    for (String p : List.of("A", "B")) {
      charts.add("img/loss-" + p + ".png");
      charts.add("img/val-dice-" + p + ".png");
    }
    for (String c : charts) {
      assertTrue(images.contains(c), c + " in " + images);
      assertPng(report.resolve(c), ReportCharts.WIDTH, ReportCharts.HEIGHT);
    }
    // the pictured cases: best, median, worst of test-merged (2 test cases: best and worst)
    List<String> cases = images.stream().filter(f -> f.startsWith("img/case-")).toList();
    Map<String, String> byRank = ranksOf(root.resolve("evaluate/metrics.csv"), "test-merged");
    assertEquals(
        List.of(
            "img/case-best-median-" + byRank.get("best") + ".png",
            "img/case-worst-" + byRank.get("worst") + ".png"),
        cases);
    for (String c : cases) {
      assertPng(report.resolve(c), OVERLAY_WIDTH, OVERLAY_HEIGHT);
    }

    // the results table: every labelmap set, with the summary's mean WT Dice
    for (String set : List.of("oof-merged", "test-merged")) {
      assertTrue(page.contains("<td>" + set + "</td>"), set);
      assertTrue(md.contains("| " + set + " |"), set);
    }
  }

  @Test
  void sweepReportComparesTheVariants() throws IOException {
    Path root = FakeRunRoot.sweep(dir);
    RunReport.write(new Configuration(), new OutputRoot(root.toString()));
    Path report = root.resolve("report");
    String page = Files.readString(report.resolve("index.html"));
    String md = Files.readString(report.resolve("report.md"));
    assertFalse(page.contains("not available"), page);
    assertOffline(page);
    List<String> images = linkedFilesExist(report, page);
    assertEquals(new TreeSet<>(images), new TreeSet<>(markdownImages(md)));

    assertTrue(page.contains("Variant comparison"));
    // width8 against the baseline: delta and the Wilcoxon p-value as comparison.csv has them
    assertTrue(
        md.contains(
            "| width8 | oof-merged | WT | dice | 0.740 ± 0.050 | 0.810 ± 0.050 | -0.070 | 0.0312 |"),
        md);
    for (String region : List.of("ET", "WT", "TC")) {
      assertPng(
          report.resolve("img/dice-" + region + "-variants.png"),
          ReportCharts.WIDTH,
          ReportCharts.HEIGHT);
      assertPng(
          report.resolve("img/hd95-" + region + "-variants.png"),
          ReportCharts.WIDTH,
          ReportCharts.HEIGHT);
    }
    assertPng(report.resolve("img/loss-A.png"), ReportCharts.WIDTH, ReportCharts.HEIGHT);
    // the baseline variant's cases are pictured
    Map<String, String> byRank =
        ranksOf(root.resolve("variants/baseline/evaluate/metrics.csv"), "oof-merged");
    assertPng(
        report.resolve("img/case-best-" + byRank.get("best") + ".png"),
        OVERLAY_WIDTH,
        OVERLAY_HEIGHT);
    assertPng(
        report.resolve("img/case-worst-" + byRank.get("worst") + ".png"),
        OVERLAY_WIDTH,
        OVERLAY_HEIGHT);
    // both variants' summaries are in the results table
    assertTrue(md.contains("| baseline | oof-merged |"), md);
    assertTrue(md.contains("| width8 | oof-merged |"), md);
  }

  @Test
  void missingPartsAndUnreadableCaseImagesSayNotAvailable() throws IOException {
    Path root = FakeRunRoot.crossValidation(dir);
    Files.delete(root.resolve("train/log.csv"));
    // the best case's T1Gd is gone from the archive
    Map<String, String> byRank = ranksOf(root.resolve("evaluate/metrics.csv"), "test-merged");
    String best = byRank.get("best");
    try (Stream<Path> files = Files.walk(dir.resolve("archive/test").resolve(best))) {
      Path t1ce =
          files.filter(f -> f.toString().endsWith("_t1ce.nii.gz")).findFirst().orElseThrow();
      Files.delete(t1ce);
    }
    RunReport.write(new Configuration(), new OutputRoot(root.toString()));
    String page = Files.readString(root.resolve("report/index.html"));
    String md = Files.readString(root.resolve("report/report.md"));
    assertTrue(page.contains("training curves: not available"), page);
    assertTrue(md.contains("training curves: not available"), md);
    assertTrue(
        page.contains("picture of the best and median case " + best + ": not available"), page);
    assertTrue(page.contains("_t1ce.nii.gz"), "the reason names the file: " + page);
    // the other parts are there
    linkedFilesExist(root.resolve("report"), page);
    assertTrue(page.contains("img/case-worst-" + byRank.get("worst") + ".png"));
    assertTrue(page.contains("img/dice-test-merged.png"));
  }

  @Test
  void aReportDuringATrainingDrawsTheCurvesSoFarFromTheTasksOwnLogs() throws IOException {
    Path root = FakeRunRoot.crossValidation(dir);
    // the stage's log is written at its end; so far only pipeline A's fold 0 has 4 epochs
    List<String> log = Files.readAllLines(root.resolve("train/log.csv"));
    List<String> soFar = new ArrayList<>(List.of(log.get(0)));
    log.stream()
        .skip(1)
        .filter(l -> l.startsWith("baseline,A,0,") && Integer.parseInt(l.split(",")[3]) <= 4)
        .forEach(soFar::add);
    assertEquals(1 + 4, soFar.size());
    Files.delete(root.resolve("train/log.csv"));
    Path taskLog = root.resolve("train/baseline/A/fold0/log.csv");
    Files.createDirectories(taskLog.getParent());
    Files.write(taskLog, soFar);
    RunReport.write(new Configuration(), new OutputRoot(root.toString()));
    String page = Files.readString(root.resolve("report/index.html"));
    assertFalse(page.contains("training curves: not available"), page);
    List<String> images = linkedFilesExist(root.resolve("report"), page);
    assertTrue(images.contains("img/loss-A.png"), images.toString());
    assertFalse(images.contains("img/loss-B.png"), "pipeline B has not started: " + images);
  }

  @Test
  void aRootWithOnlyScoresStillGetsAReport() throws IOException {
    Path root = FakeRunRoot.crossValidation(dir);
    for (String gone : List.of("train", "preprocess", "test", "predictions")) {
      try (Stream<Path> files = Files.walk(root.resolve(gone))) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    RunReport.write(new Configuration(), new OutputRoot(root.toString()));
    String page = Files.readString(root.resolve("report/index.html"));
    assertTrue(page.contains("training curves: not available"), page);
    assertTrue(page.contains("case.json"), page);
    linkedFilesExist(root.resolve("report"), page);
  }

  @Test
  void aMissingRootIsAnError() {
    FileNotFoundException e =
        assertThrows(
            FileNotFoundException.class,
            () ->
                RunReport.write(
                    new Configuration(), new OutputRoot(dir.resolve("nothing").toString())));
    assertTrue(e.getMessage().contains("nothing"), e.getMessage());
  }

  // ---- helpers

  /** Best/worst case ids of {@code set} by mean Dice, computed here from metrics.csv. */
  static Map<String, String> ranksOf(Path metrics, String set) throws IOException {
    Map<String, double[]> sum = new TreeMap<>();
    for (String line : Files.readAllLines(metrics).subList(1, Files.readAllLines(metrics).size())) {
      String[] f = line.split(",");
      if (f[0].equals(set)) {
        double[] s = sum.computeIfAbsent(f[1], k -> new double[2]);
        s[0] += Double.parseDouble(f[3]);
        s[1]++;
      }
    }
    String best = null;
    String worst = null;
    for (Map.Entry<String, double[]> e : sum.entrySet()) {
      assertEquals(3, e.getValue()[1]);
      double mean = e.getValue()[0] / 3;
      if (best == null || mean > sum.get(best)[0] / 3) {
        best = e.getKey();
      }
      if (worst == null || mean < sum.get(worst)[0] / 3) {
        worst = e.getKey();
      }
    }
    return Map.of("best", best, "worst", worst);
  }

  static void assertOffline(String page) {
    assertFalse(page.contains("<script"), "no scripts");
    assertFalse(page.contains("<link"), "no linked style sheets");
    assertFalse(page.contains("http:") || page.contains("https:") || page.contains("//cdn"), page);
    assertTrue(page.contains("<style>"), "inline style");
  }

  private static final Pattern LINK = Pattern.compile("(?:src|href)=\"([^\"]*)\"");

  /** Every src/href of the page is a relative link to an existing file; returns them (unique). */
  static List<String> linkedFilesExist(Path report, String page) {
    List<String> out = new ArrayList<>();
    Matcher m = LINK.matcher(page);
    while (m.find()) {
      String link = m.group(1);
      assertFalse(link.startsWith("/") || link.contains(":") || link.contains(".."), link);
      assertTrue(Files.isRegularFile(report.resolve(link)), link + " exists");
      if (!out.contains(link)) {
        out.add(link);
      }
    }
    assertFalse(out.isEmpty(), "the page links images");
    return out;
  }

  static List<String> markdownImages(String md) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("!\\[[^\\]]*\\]\\(([^)]*)\\)").matcher(md);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  static TreeSet<String> filesIn(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      TreeSet<String> out = new TreeSet<>();
      // the local Hadoop file system keeps a hidden .crc beside each file
      s.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .forEach(n -> out.add("img/" + n));
      return out;
    }
  }

  static void assertPng(Path file, int width, int height) throws IOException {
    byte[] head = new byte[8];
    try (var in = Files.newInputStream(file)) {
      assertEquals(8, in.read(head));
    }
    assertEquals((byte) 0x89, head[0], file + " is a PNG");
    assertEquals('P', head[1]);
    BufferedImage img = ImageIO.read(file.toFile());
    assertNotNull(img, file + " decodes");
    assertEquals(width, img.getWidth(), file + " width");
    assertEquals(height, img.getHeight(), file + " height");
  }
}
