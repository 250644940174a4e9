package org.bratscv.jobs.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;

/**
 * Which results a report shows: a cross-validation root holds one set of results; a sweep root (it
 * has {@code comparison.csv} or a {@code variants/} folder) one per variant under {@code
 * variants/<variant>/}. The paths themselves are {@link RunFolder}'s.
 *
 * @param variants the results of each variant, in name order; one unnamed entry for a cv root
 */
record RunLayout(OutputRoot root, boolean sweep, List<Variant> variants) {
  /** One variant's results: its name (null for a cv root) and the root of its results. */
  record Variant(String name, OutputRoot results) {
    String label() {
      return name == null ? "run" : name;
    }
  }

  static RunLayout detect(FileSystem fs, OutputRoot root) throws IOException {
    RunFolder folder = new RunFolder(root);
    Path variantsDir = folder.variantsDir();
    boolean hasVariants = fs.isDirectory(variantsDir);
    boolean sweep = hasVariants || fs.exists(folder.comparisonCsv());
    if (!sweep) {
      return new RunLayout(root, false, List.of(new Variant(null, root)));
    }
    List<Variant> variants = new ArrayList<>();
    if (hasVariants) {
      for (FileStatus s : fs.listStatus(variantsDir)) {
        String name = s.getPath().getName();
        if (s.isDirectory() && !name.startsWith(".") && !name.startsWith("_")) {
          variants.add(new Variant(name, new OutputRoot(s.getPath().toString())));
        }
      }
    }
    variants.sort(Comparator.comparing(Variant::name));
    return new RunLayout(root, true, variants);
  }

  /**
   * The folder of a case's {@code case.json} for a labelmap set: test sets ({@code test-*}) come
   * from the test archive, the others from the training archive; a variant's own folder first, then
   * the shared one of a sweep.
   */
  List<Path> caseDirs(Variant v, String labelmapSet, String caseId) {
    List<Path> out = new ArrayList<>();
    for (OutputRoot r : List.of(v.results(), root)) {
      RunFolder f = new RunFolder(r);
      Path p = (isTestSet(labelmapSet) ? f.test() : f).caseDir(caseId);
      if (!out.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Where the infer stage writes the labelmap of {@code caseId} in {@code labelmapSet}. */
  Path prediction(Variant v, String labelmapSet, String caseId) {
    RunFolder r = new RunFolder(v.results());
    return (isTestSet(labelmapSet) ? r.test() : r).prediction(labelmapSet, caseId);
  }

  static boolean isTestSet(String labelmapSet) {
    return labelmapSet.startsWith("test-");
  }
}
