package org.bratscv.jobs.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The content of a run report as a list of blocks (headings, text, tables, figures, parts that are
 * not available), rendered twice from the same blocks: as a self-contained HTML page (inline CSS,
 * images by relative links, nothing fetched from anywhere) and as its Markdown twin.
 */
final class ReportDocument {
  /** One piece of the report. */
  sealed interface Block permits Heading, Paragraph, Table, Figures, Unavailable {}

  record Heading(int level, String text) implements Block {}

  record Paragraph(String text) implements Block {}

  record Table(List<String> header, List<List<String>> rows) implements Block {}

  /** One image: {@code file} relative to the report folder (e.g. {@code img/dice-oof-A.png}). */
  record Figure(String file, String alt, String caption, int width, int height) {}

  /** Images shown side by side where the page is wide enough. */
  record Figures(List<Figure> figures) implements Block {}

  /** A part of the report that could not be made: what, and why. */
  record Unavailable(String what, String reason) implements Block {}

  private final String title;
  private final List<Block> blocks = new ArrayList<>();

  ReportDocument(String title) {
    this.title = title;
  }

  List<Block> blocks() {
    return List.copyOf(blocks);
  }

  ReportDocument heading(int level, String text) {
    blocks.add(new Heading(level, text));
    return this;
  }

  ReportDocument paragraph(String text) {
    blocks.add(new Paragraph(text));
    return this;
  }

  ReportDocument table(List<String> header, List<List<String>> rows) {
    blocks.add(new Table(List.copyOf(header), List.copyOf(rows)));
    return this;
  }

  ReportDocument figures(List<Figure> figures) {
    if (!figures.isEmpty()) {
      blocks.add(new Figures(List.copyOf(figures)));
    }
    return this;
  }

  ReportDocument unavailable(String what, String reason) {
    blocks.add(new Unavailable(what, reason));
    return this;
  }

  /** Every image file the report links to, relative to the report folder. */
  List<String> imageFiles() {
    List<String> out = new ArrayList<>();
    for (Block b : blocks) {
      if (b instanceof Figures f) {
        f.figures().forEach(x -> out.add(x.file()));
      }
    }
    return out;
  }

  private static final String CSS =
      """
      body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:2em auto;\
      max-width:1400px;padding:0 1em;color:#222;line-height:1.4}
      h1{font-size:1.6em;border-bottom:2px solid #ccc;padding-bottom:.2em}
      h2{font-size:1.3em;margin-top:1.6em;border-bottom:1px solid #ddd}
      h3{font-size:1.1em}
      table{border-collapse:collapse;margin:.5em 0 1em 0;font-size:.9em}
      th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
      th{background:#f2f2f2}
      td:first-child,th:first-child{text-align:left}
      .figures{display:flex;flex-wrap:wrap;gap:1em}
      figure{margin:0}
      figcaption{font-size:.85em;color:#555;max-width:640px}
      img{max-width:100%;height:auto;border:1px solid #eee}
      .na{color:#a33;font-style:italic}
      """;

  /** The page: UTF-8 HTML with its style inline and images by relative links. */
  String html() {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>")
        .append(escape(title))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(escape(title))
        .append("</h1>\n");
    for (Block b : blocks) {
      if (b instanceof Heading h) {
        int level = Math.min(6, h.level() + 1); // the title is h1
        sb.append("<h").append(level).append('>').append(escape(h.text()));
        sb.append("</h").append(level).append(">\n");
      } else if (b instanceof Paragraph p) {
        sb.append("<p>").append(escape(p.text())).append("</p>\n");
      } else if (b instanceof Table t) {
        sb.append("<table>\n<thead><tr>");
        t.header().forEach(h -> sb.append("<th>").append(escape(h)).append("</th>"));
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : t.rows()) {
          sb.append("<tr>");
          row.forEach(c -> sb.append("<td>").append(escape(c)).append("</td>"));
          sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
      } else if (b instanceof Figures f) {
        sb.append("<div class=\"figures\">\n");
        for (Figure x : f.figures()) {
          String file = escape(x.file());
          sb.append("<figure><a href=\"").append(file).append("\"><img src=\"").append(file);
          sb.append("\" alt=\"").append(escape(x.alt()));
          sb.append("\" width=\"").append(x.width()).append("\" height=\"").append(x.height());
          sb.append("\"></a>");
          if (!x.caption().isEmpty()) {
            sb.append("<figcaption>").append(escape(x.caption())).append("</figcaption>");
          }
          sb.append("</figure>\n");
        }
        sb.append("</div>\n");
      } else if (b instanceof Unavailable u) {
        sb.append("<p class=\"na\">").append(escape(u.what())).append(": not available (");
        sb.append(escape(u.reason())).append(")</p>\n");
      }
    }
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  /** The same content as Markdown (GitHub flavour: pipe tables). */
  String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(title).append("\n\n");
    for (Block b : blocks) {
      if (b instanceof Heading h) {
        sb.append("#".repeat(Math.min(6, h.level() + 1))).append(' ').append(h.text());
        sb.append("\n\n");
      } else if (b instanceof Paragraph p) {
        sb.append(mdText(p.text())).append("\n\n");
      } else if (b instanceof Table t) {
        sb.append(row(t.header()));
        sb.append("|").append("---|".repeat(t.header().size())).append('\n');
        t.rows().forEach(r -> sb.append(row(r)));
        sb.append('\n');
      } else if (b instanceof Figures f) {
        for (Figure x : f.figures()) {
          sb.append("![").append(mdText(x.alt()).replace("]", ")")).append("](");
          sb.append(x.file()).append(")\n");
          if (!x.caption().isEmpty()) {
            sb.append('\n').append('*').append(mdText(x.caption())).append("*\n");
          }
          sb.append('\n');
        }
      } else if (b instanceof Unavailable u) {
        sb.append('*').append(mdText(u.what())).append(": not available (");
        sb.append(mdText(u.reason()));
        sb.append(")*\n\n");
      }
    }
    return sb.toString();
  }

  /** Text with Markdown's emphasis and code marks escaped, so "oof-*" stays as written. */
  static String mdText(String s) {
    return s.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`");
  }

  private static String row(List<String> cells) {
    StringBuilder sb = new StringBuilder("|");
    for (String c : cells) {
      sb.append(' ').append(mdText(c).replace("|", "\\|").replace('\n', ' ')).append(" |");
    }
    return sb.append('\n').toString();
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
