package org.bratscv.jobs.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV text for the small tables the driver writes (manifests, metrics, summaries), and the
 * reader that takes them back (the report reads them without Spark).
 */
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

  static String field(String v) {
    if (v == null) {
      return "";
    }
    boolean quote =
        v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
    return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
  }

  /**
   * The records of CSV {@code text}, the header included: fields may be quoted (with {@code ""} for
   * a quote, and commas and line breaks inside), lines end with '\n' or "\r\n"; blank lines are no
   * records.
   *
   * @throws IllegalArgumentException on a quote that is never closed
   */
  public static List<String[]> parse(String text) {
    List<String[]> records = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    int n = text.length();
    boolean pending = false; // a record has started
    while (i < n) {
      char c = text.charAt(i);
      if (c == '"' && field.length() == 0) {
        int close = i + 1;
        while (true) {
          int q = text.indexOf('"', close);
          if (q < 0) {
            throw new IllegalArgumentException(
                "unterminated quoted field in CSV record " + (records.size() + 1));
          }
          field.append(text, close, q);
          if (q + 1 < n && text.charAt(q + 1) == '"') {
            field.append('"');
            close = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        pending = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
        pending = true;
        i++;
      } else if (c == '\n' || c == '\r') {
        if (pending) { // a blank line is no record
          fields.add(field.toString());
          records.add(fields.toArray(new String[0]));
        }
        field.setLength(0);
        fields.clear();
        pending = false;
        i += c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
      } else {
        field.append(c);
        pending = true;
        i++;
      }
    }
    if (pending) {
      fields.add(field.toString());
      records.add(fields.toArray(new String[0]));
    }
    return records;
  }
}
