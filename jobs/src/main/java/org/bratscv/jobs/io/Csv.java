package org.bratscv.jobs.io;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** RFC 4180 CSV text for the small tables the driver writes (manifests, metrics, summaries). */
public final class Csv {
  private Csv() {}

  /**
   * The table as CSV bytes (UTF-8, '\n' line ends, fields quoted only when needed).
   *
   * @throws IllegalArgumentException when a row has more or fewer fields than the header
   */
  public static byte[] table(String[] header, List<String[]> rows) {
    StringBuilder sb = new StringBuilder();
    line(sb, header);
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      if (r.length != header.length) {
        throw new IllegalArgumentException(
            "CSV row "
                + (i + 1)
                + " has "
                + r.length
                + " fields but the header "
                + String.join(",", header)
                + " has "
                + header.length);
      }
      line(sb, r);
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void line(StringBuilder sb, String[] fields) {
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(field(fields[i]));
    }
    sb.append('\n');
  }

  /**
   * The rows of CSV text as {@link #table} writes it (RFC 4180: quoted fields may hold commas,
   * quotes and line breaks); blank lines are skipped. The header, if any, is the first row.
   */
  public static List<String[]> parse(String text) {
    List<String[]> rows = new java.util.ArrayList<>();
    List<String> fields = new java.util.ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quoted) {
        if (ch == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
        any = true;
      } else if (ch == ',') {
        fields.add(field.toString());
        field.setLength(0);
        any = true;
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        if (any || field.length() > 0) {
          fields.add(field.toString());
          rows.add(fields.toArray(new String[0]));
        }
        fields.clear();
        field.setLength(0);
        any = false;
      } else {
        field.append(ch);
        any = true;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("CSV text ends inside a quoted field");
    }
    if (any || field.length() > 0) {
      fields.add(field.toString());
      rows.add(fields.toArray(new String[0]));
    }
    return rows;
  }

  static String field(String v) {
    if (v == null) {
      return "";
    }
    boolean quote =
        v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
    return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
  }
}
