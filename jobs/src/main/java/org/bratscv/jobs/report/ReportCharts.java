package org.bratscv.jobs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.BoxSeries;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.BoxStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn by XChart and encoded as PNG: box plots (Dice, HD95), histograms (HD95
 * distributions) and line charts (training curves). Every chart is {@link #WIDTH} x {@link #HEIGHT}
 * pixels.
 */
final class ReportCharts {
  static final int WIDTH = 640;
  static final int HEIGHT = 400;

  /** Region colours of every chart, close to the overlay colours (ET red, TC green, WT amber). */
  static final Color ET = new Color(214, 39, 40);

  static final Color TC = new Color(44, 160, 44);
  static final Color WT = new Color(230, 160, 0);

  /** Colours of folds or variants (the "tab10" palette). */
  static final Color[] PALETTE = {
    new Color(31, 119, 180),
    new Color(255, 127, 14),
    new Color(44, 160, 44),
    new Color(214, 39, 40),
    new Color(148, 103, 189),
    new Color(140, 86, 75),
    new Color(227, 119, 194),
    new Color(127, 127, 127),
    new Color(188, 189, 34),
    new Color(23, 190, 207)
  };

  private ReportCharts() {}

  static Color palette(int i) {
    return PALETTE[Math.floorMod(i, PALETTE.length)];
  }

  /** The chart as PNG bytes. */
  static byte[] png(Chart<?, ?> chart) throws IOException {
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * One box per entry of {@code series} (its name under the box) over the values drawn as dots in
   * the entry's colour; quartiles as numpy's default (linear, like {@code summary.csv}), whiskers
   * at the most extreme values within 1.5 IQR of the box. Series without values are left out.
   * XChart 3.8.8 draws every box blue with a red median and fits the value axis to the data.
   */
  static BoxChart boxes(
      String title, String yTitle, Map<String, double[]> series, Color[] colours) {
    BoxChart chart =
        new BoxChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setShowWithinAreaPoint(true);
    chart.getStyler().setMarkerSize(7);
    chart
        .getStyler()
        .setBoxplotCalCulationMethod(BoxStyler.BoxplotCalCulationMethod.N_LESS_1_PLUS_1);
    int i = 0;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      if (e.getValue().length > 0) {
        BoxSeries s = chart.addSeries(e.getKey(), e.getValue());
        s.setMarkerColor(colours[i % colours.length]);
      }
      i++;
    }
    return chart;
  }

  /**
   * Histograms of the entries of {@code series}, bars side by side, over about {@code bins} bins of
   * a round width from 0 past the largest value; each bar is labelled with its bin's lower edge.
   * Series without values are left out.
   */
  static CategoryChart histogram(
      String title, String xTitle, Map<String, double[]> series, Color[] colours, int bins) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle("cases")
            .build();
    style(chart.getStyler());
    chart.getStyler().setAvailableSpaceFill(0.9);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setYAxisDecimalPattern("0");
    double max = 0;
    for (double[] v : series.values()) {
      for (double x : v) {
        max = Math.max(max, x);
      }
    }
    double width = roundStep(Math.max(max, 1e-9) / bins);
    int n = (int) Math.floor(max / width) + 1;
    List<String> labels = new ArrayList<>();
    java.text.DecimalFormat f =
        new java.text.DecimalFormat(
            "0.###", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT));
    for (int b = 0; b < n; b++) {
      labels.add(f.format(b * width));
    }
    int i = 0;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      if (e.getValue().length > 0) {
        List<Integer> counts = new ArrayList<>(Collections.nCopies(n, 0));
        for (double x : e.getValue()) {
          int b = Math.min(n - 1, (int) Math.floor(x / width));
          counts.set(b, counts.get(b) + 1);
        }
        CategorySeries s = chart.addSeries(e.getKey(), labels, counts);
        s.setFillColor(colours[i % colours.length]);
      }
      i++;
    }
    return chart;
  }

  /** The smallest of 1, 2, 2.5, 5 x 10^k that is at least {@code step}. */
  static double roundStep(double step) {
    double decade = Math.pow(10, Math.floor(Math.log10(step)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * decade >= step * (1 - 1e-12)) {
        return m * decade;
      }
    }
    return 10 * decade;
  }

  /** One line of a line chart. */
  record Curve(String name, double[] x, double[] y, Color colour, boolean dashed, boolean legend) {}

  /** Lines without markers; a curve left out of the legend still shows. */
  static XYChart curves(String title, String xTitle, String yTitle, List<Curve> curves) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(chart.getStyler());
    for (Curve c : curves) {
      if (c.x().length == 0) {
        continue;
      }
      XYSeries s = chart.addSeries(c.name(), c.x(), c.y());
      s.setMarker(c.x().length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
      s.setMarkerColor(c.colour());
      s.setLineColor(c.colour());
      s.setLineWidth(1.6f);
      if (c.dashed()) {
        s.setLineStyle(
            new BasicStroke(
                1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {5f, 4f}, 0f));
      }
      s.setShowInLegend(c.legend());
    }
    return chart;
  }

  private static void style(AxesChartStyler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderColor(new Color(180, 180, 180));
    s.setLegendBorderColor(new Color(200, 200, 200));
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setAntiAlias(true);
    s.setToolTipsEnabled(false);
  }

  private static Color withAlpha(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
  }
}
