package org.bratscv.data.cases;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the cases of a CSV manifest, for archives organised any other way: a header row naming
 * {@code case_id, t1, t1ce, t2, flair} and optionally {@code seg} (in any order), then one row per
 * case. Paths may be on any file system the store reads ({@code hdfs://...}, {@code s3a://...},
 * {@code file:/...}, {@code /abs/path}); a relative path is resolved against the CSV's folder.
 * Fields are separated by commas and may be enclosed in double quotes; blank lines and lines
 * starting with {@code #} are skipped. An empty {@code seg} field means the case has no labels.
 *
 * <p>A row with a missing field, a missing file, an unsafe or repeated case id becomes a {@link
 * DiscoveryProblem}; the other rows are still read.
 */
final class ManifestDiscovery {
  static final List<String> COLUMNS = List.of("case_id", "t1", "t1ce", "t2", "flair");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final CaseStore store;

  ManifestDiscovery(CaseStore store) {
    this.store = store;
  }

  static boolean isManifest(String path) {
    return path.toLowerCase(Locale.ROOT).endsWith(".csv");
  }

  void discover(String csv, List<BratsCase> found, List<DiscoveryProblem> problems)
      throws IOException {
    List<String> lines;
    try (InputStream in = store.open(csv);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      lines = r.lines().toList();
    }
    String folder = DatasetFolderDiscovery.parent(csv);
    int headerLine = -1;
    Map<String, Integer> column = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> fields = fields(line);
      if (headerLine < 0) {
        headerLine = i;
        for (int c = 0; c < fields.size(); c++) {
          column.put(fields.get(c).toLowerCase(Locale.ROOT), c);
        }
        List<String> missing = COLUMNS.stream().filter(c -> !column.containsKey(c)).toList();
        if (!missing.isEmpty()) {
          throw new IOException(
              "manifest "
                  + csv
                  + ": header row "
                  + fields
                  + " lacks column(s) "
                  + missing
                  + " (expected case_id,t1,t1ce,t2,flair[,seg])");
        }
        continue;
      }
      readRow(csv, folder, i + 1, fields, column, found, problems);
    }
    if (headerLine < 0) {
      throw new IOException(
          "manifest " + csv + " is empty (expected a header row case_id,t1,t1ce,t2,flair[,seg])");
    }
  }

  private void readRow(
      String csv,
      String folder,
      int lineNumber,
      List<String> fields,
      Map<String, Integer> column,
      List<BratsCase> found,
      List<DiscoveryProblem> problems) {
    String where = csv + " line " + lineNumber;
    String id = field(fields, column.get("case_id"));
    if (id.isEmpty() || !SAFE_ID.matcher(id).matches()) {
      problems.add(
          new DiscoveryProblem(
              id.isEmpty() ? "line " + lineNumber : id,
              where,
              "case_id '"
                  + id
                  + "' must be letters, digits, '.', '_' or '-' (it names the case's output"
                  + " folder)"));
      return;
    }
    List<String> reasons = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    List<String> names = List.of("t1", "t1ce", "t2", "flair");
    for (String name : names) {
      paths.add(file(field(fields, column.get(name)), name, folder, reasons));
    }
    String seg = null;
    if (column.containsKey("seg") && !field(fields, column.get("seg")).isEmpty()) {
      seg = file(field(fields, column.get("seg")), "seg", folder, reasons);
    }
    if (!reasons.isEmpty()) {
      problems.add(new DiscoveryProblem(id, where, String.join("; ", reasons)));
      return;
    }
    found.add(
        new BratsCase(
            id,
            Layout.MANIFEST,
            DatasetFolderDiscovery.parent(paths.get(0)),
            paths,
            Collections.nCopies(Modality.values().length, BratsCase.WHOLE_FILE),
            seg,
            Layout.MANIFEST.labelScheme()));
  }

  /** The resolved path of a field, or null with a reason when it is empty or not a file. */
  private String file(String value, String name, String folder, List<String> reasons) {
    if (value.isEmpty()) {
      reasons.add("no " + name + " file given");
      return null;
    }
    String path =
        SCHEME.matcher(value).matches() || value.startsWith("/")
            ? value
            : DatasetFolderDiscovery.child(folder, value);
    try {
      if (!store.isFile(path)) {
        reasons.add(name + " file " + path + " does not exist");
        return null;
      }
    } catch (IOException e) {
      reasons.add(name + " file " + path + " cannot be read: " + e.getMessage());
      return null;
    }
    return path;
  }

  private static String field(List<String> fields, int index) {
    return index < fields.size() ? fields.get(index) : "";
  }

  /** The comma-separated fields of a line, each stripped of spaces and enclosing quotes. */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (ch == '"') {
        if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (ch == ',' && !quoted) {
        out.add(cur.toString().strip());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString().strip());
    return Arrays.asList(out.toArray(String[]::new));
  }
}
