package org.bratscv.jobs.stages;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.folds.Fold;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.folds.FoldSplitJson;
import org.bratscv.data.folds.KFold;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.StaleOutputException;
import org.bratscv.jobs.run.StaleOutputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folds stage (driver only, small): a seeded K-fold split of the cases that preprocessed
 * without error and have labels, or an imported split file (this project's {@code folds.json} or
 * nnU-Net's {@code splits_final.json}) restricted to those cases. Writes {@code folds.json}. A
 * split that differs from an earlier one is written only while no model was trained under the
 * earlier one; after that, {@link StaleOutputs} decides (by default the stage stops and says why).
 */
public final class FoldsStage {
  private static final Logger LOG = LoggerFactory.getLogger(FoldsStage.class);
  public static final String FOLDS_JSON = RunFolder.FOLDS_JSON;

  /**
   * @param splitFile a split to import instead of drawing one, or null
   * @param stale what to do when the split differs from the one models were trained under
   */
  public record Settings(OutputRoot out, int k, long seed, String splitFile, StaleOutputs stale) {
    public Settings(OutputRoot out, int k, long seed, String splitFile) {
      this(out, k, seed, splitFile, StaleOutputs.STOP);
    }
  }

  public FoldSplit run(Configuration conf, Settings s, List<String> usableCaseIds)
      throws IOException {
    FoldSplit split = split(conf, s, usableCaseIds);
    RunFolder folder = new RunFolder(s.out());
    Path target = folder.foldsJson();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FoldSplitJson.write(split, bytes);
    FileSystem fs = target.getFileSystem(conf);
    if (fs.exists(target)) {
      byte[] old;
      try (InputStream in = fs.open(target)) {
        old = in.readAllBytes();
      }
      if (java.util.Arrays.equals(old, bytes.toByteArray())) {
        return split; // a rerun draws the same split: keep the file as it is
      }
      FoldSplit earlier;
      try (InputStream in = new java.io.ByteArrayInputStream(old)) {
        earlier = FoldSplitJson.read(in, target.toString());
      }
      String difference = difference(earlier, split);
      if (fs.exists(folder.modelsCsv())) {
        switch (s.stale()) {
          case STOP ->
              throw new StaleOutputException(
                  "folds: the split differs from "
                      + target
                      + ", under which the models in "
                      + folder.trainDir()
                      + " were trained ("
                      + difference
                      + "); "
                      + StaleOutputs.flags(
                          "write the new split and train every model anew",
                          "keep the existing split and its models (cases not in it take no part"
                              + " in training or out-of-fold scoring)"));
          case KEEP -> {
            LOG.warn(
                "folds: --keep-stale: keeping the split of {} ({}); cases not in it take no part",
                target,
                difference);
            return earlier;
          }
          case OVERWRITE ->
              LOG.warn(
                  "folds: --overwrite: a new split ({}); its models are trained anew", difference);
        }
      } else {
        LOG.info("folds: a new split, no model was trained yet ({})", difference);
      }
    }
    OutputRoot.writeAtomically(fs, target, out -> out.write(bytes.toByteArray()));
    for (Fold f : split.folds()) {
      LOG.info(
          "folds: fold {}: {} train, {} val cases", f.fold(), f.train().size(), f.val().size());
    }
    return split;
  }

  /** The split a run of {@code s} makes of {@code usableCaseIds}: drawn, or the imported file's. */
  static FoldSplit split(Configuration conf, Settings s, List<String> usableCaseIds)
      throws IOException {
    Set<String> usable = new TreeSet<>(usableCaseIds);
    if (s.splitFile() == null || s.splitFile().isBlank()) {
      if (usable.size() < s.k()) {
        throw new IOException(
            "folds: " + usable.size() + " usable labelled cases cannot make " + s.k() + " folds");
      }
      return KFold.split(usable, s.k(), s.seed());
    }
    return restrict(importSplit(conf, s.splitFile()), usable, s.splitFile());
  }

  /** What changed between two splits, in words: the cases added and removed, or the assignment. */
  static String difference(FoldSplit earlier, FoldSplit now) {
    Set<String> added = new TreeSet<>(now.caseIds());
    added.removeAll(earlier.caseIds());
    Set<String> removed = new TreeSet<>(earlier.caseIds());
    removed.removeAll(now.caseIds());
    List<String> parts = new ArrayList<>();
    if (!added.isEmpty()) {
      parts.add(added.size() + " new cases " + abbreviate(added));
    }
    if (!removed.isEmpty()) {
      parts.add(removed.size() + " cases no longer usable " + abbreviate(removed));
    }
    if (earlier.k() != now.k()) {
      parts.add(earlier.k() + " -> " + now.k() + " folds");
    }
    if (parts.isEmpty()) {
      parts.add("the same cases, assigned to other folds (seed or split file changed)");
    }
    return String.join(", ", parts);
  }

  private static String abbreviate(Set<String> ids) {
    List<String> l = new ArrayList<>(ids);
    return l.size() <= 5 ? l.toString() : l.subList(0, 5) + " and " + (l.size() - 5) + " more";
  }

  /** Reads {@code folds.json} written by an earlier run. */
  public static FoldSplit read(Configuration conf, OutputRoot out) throws IOException {
    Path p = new RunFolder(out).foldsJson();
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      return FoldSplitJson.read(in, p.toString());
    }
  }

  /** Either format, told apart by the JSON's top level (a list is nnU-Net's). */
  static FoldSplit importSplit(Configuration conf, String file) throws IOException {
    Path p = new Path(file);
    FileSystem fs = p.getFileSystem(conf);
    byte[] bytes;
    try (InputStream in = fs.open(p)) {
      bytes = in.readAllBytes();
    }
    String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).stripLeading();
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      return text.startsWith("[")
          ? FoldSplitJson.readNnUnet(in, file)
          : FoldSplitJson.read(in, file);
    }
  }

  /**
   * The imported split without the cases that cannot be used here (failed preprocessing, no
   * labels). Usable cases the split does not name are left out of every fold, with a warning.
   */
  static FoldSplit restrict(FoldSplit split, Set<String> usable, String source) {
    List<Fold> folds = new ArrayList<>();
    Set<String> dropped = new TreeSet<>();
    for (Fold f : split.folds()) {
      List<String> train = new ArrayList<>();
      List<String> val = new ArrayList<>();
      for (String id : f.train()) {
        if (usable.contains(id)) {
          train.add(id);
        }
      }
      for (String id : f.val()) {
        if (usable.contains(id)) {
          val.add(id);
        } else {
          dropped.add(id);
        }
      }
      if (val.isEmpty() || train.isEmpty()) {
        throw new IllegalArgumentException(
            source
                + ": fold "
                + f.fold()
                + " has no usable "
                + (val.isEmpty() ? "val" : "train")
                + " case left after removing cases that failed preprocessing or have no labels");
      }
      folds.add(new Fold(f.fold(), train, val));
    }
    if (!dropped.isEmpty()) {
      LOG.warn(
          "folds: {} cases of {} are not usable and were left out: {}",
          dropped.size(),
          source,
          dropped);
    }
    Set<String> unnamed = new TreeSet<>(usable);
    unnamed.removeAll(split.caseIds());
    if (!unnamed.isEmpty()) {
      LOG.warn(
          "folds: {} usable cases are not in {} and take no part: {}",
          unnamed.size(),
          source,
          unnamed);
    }
    return new FoldSplit(split.seed(), split.k(), folds);
  }
}
