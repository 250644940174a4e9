package org.bratscv.jobs.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.stages.InferStage;
import org.bratscv.jobs.stages.ModelRow;
import org.bratscv.jobs.stages.TrainedEnsemble;

/**
 * A sweep root's selected ensemble: the models {@code ensemble.csv} marks selected, found in the
 * sweep's models manifest, with the settings of {@code ensemble/config.yaml}. The sweep segments
 * its test archive with it, and {@code segment --models <sweep root>} loads it.
 */
public final class SelectedEnsemble {
  /** What {@link TrainedEnsemble#variant} says for a selection. */
  public static final String VARIANT = "selected";

  private SelectedEnsemble() {}

  /** True when {@code location} is a sweep root with a selected ensemble ({@code ensemble.csv}). */
  public static boolean existsAt(Configuration conf, String location) throws IOException {
    RunFolder root = new RunFolder(location);
    return root.root().fileSystem(conf).exists(root.ensembleCsv());
  }

  /**
   * The selected ensemble of the sweep root at {@code location}.
   *
   * @throws IOException when a selected model is missing from the models manifest, failed, or was
   *     trained again after the selection (its fingerprint differs): the sweep must select again
   */
  public static TrainedEnsemble load(Configuration conf, String location) throws IOException {
    RunFolder root = new RunFolder(location);
    FileSystem fs = root.root().fileSystem(conf);
    List<MemberSelection.Candidate> rows = MemberSelection.TABLE.read(fs, root.ensembleCsv());
    Map<String, ModelRow> trained = new HashMap<>();
    for (ModelRow m : ModelRow.TABLE.read(fs, root.modelsCsv())) {
      trained.put(m.getVariant() + "/" + m.getPipeline() + "/fold" + m.getFold(), m);
    }
    Map<String, List<InferStage.Member>> members = new LinkedHashMap<>();
    for (MemberSelection.Candidate c : rows) {
      if (!c.selected()) {
        continue;
      }
      String key = c.variant() + "/" + c.pipeline() + "/fold" + c.fold();
      ModelRow m = trained.get(key);
      if (m == null || !m.isOk()) {
        throw new IOException(
            root.ensembleCsv()
                + " selects "
                + key
                + ", which "
                + root.modelsCsv()
                + (m == null ? " does not list" : " lists as failed (" + m.getReason() + ")"));
      }
      if (!m.getFingerprint().equals(c.fingerprint())) {
        throw new IOException(
            root.ensembleCsv()
                + " selects "
                + key
                + " as it was (fingerprint "
                + c.fingerprint()
                + "), but it was trained again since (now "
                + m.getFingerprint()
                + "): rerun the sweep to select again");
      }
      members
          .computeIfAbsent(c.pipeline(), k -> new ArrayList<>())
          .add(TrainedEnsemble.member(fs, root, m));
    }
    if (members.isEmpty()) {
      throw new IOException(root.ensembleCsv() + " selects no model");
    }
    return TrainedEnsemble.of(
        fs,
        root.ensembleCsv().toString(),
        VARIANT,
        members,
        List.of(root.ensemble().configYaml()),
        MemberSelection.fingerprint(rows));
  }

  /**
   * Writes the selection: {@code ensemble.csv} and {@code ensemble/config.yaml} with the labeling
   * the selected ensemble segments with (the baseline's TTA, threshold, precision and brain mask;
   * the section's merge).
   */
  static void write(
      FileSystem fs,
      RunFolder root,
      List<MemberSelection.Candidate> rows,
      MemberSelection selection,
      RunConfig.EnsembleSettings baseline)
      throws IOException {
    MemberSelection.TABLE.writeCsv(fs, root.ensembleCsv(), rows);
    Labeling b = baseline.labeling();
    String yaml =
        "# the settings of the sweep's selected ensemble; its members are the selected rows of\n"
            + "# ../ensemble.csv\n"
            + new Labeling(b.tta(), b.threshold(), selection.merge(), b.precision(), b.brainMask())
                .writeTo(ConfigTree.empty())
                .toYaml();
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    Path config = root.ensemble().configYaml();
    OutputRoot.writeAtomically(fs, config, o -> o.write(bytes));
  }
}
