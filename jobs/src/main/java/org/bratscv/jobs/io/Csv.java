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

  static String field(String v) {
    if (v == null) {
      return "";
    }
    boolean quote =
        v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
    return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
  }
}
