package org.bratscv.jobs.stages;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.labels.Region;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.uncertainty.UncertaintyMaps;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;

/**
 * The three uncertainty maps that go with a labelmap ({@link RunFolder#uncertaintyOf}), as written
 * by {@code infer} and {@code segment --uncertainty} and read by {@code evaluate}: uint8 NIfTI on
 * the labelmap's header, so they overlay the labelmap and the case in any viewer.
 */
final class UncertaintyFiles {
  private UncertaintyFiles() {}

  /**
   * Writes the maps of {@code probabilities} (averaged ET/TC/WT, the labelmap's geometry) for
   * {@code labelmap}, each atomically; call before writing the labelmap, whose presence marks the
   * case complete.
   */
  static void write(
      FileSystem fs,
      Path labelmap,
      MultiChannelVolume probabilities,
      NiftiHeader like,
      NiftiWriter writer)
      throws IOException {
    for (Map.Entry<Region, LabelVolume> e : UncertaintyMaps.of(probabilities).entrySet()) {
      LabelVolume map = e.getValue();
      OutputRoot.writeAtomically(
          fs, RunFolder.uncertaintyOf(labelmap, e.getKey()), o -> writer.write(o, true, map, like));
    }
  }

  /** True when all three maps of {@code labelmap} exist. */
  static boolean complete(FileSystem fs, Path labelmap) throws IOException {
    for (Region r : Region.values()) {
      if (!fs.exists(RunFolder.uncertaintyOf(labelmap, r))) {
        return false;
      }
    }
    return true;
  }

  /** True when all three maps of {@code labelmap} are among {@code names} (one folder listing). */
  static boolean listed(Set<String> names, Path labelmap) {
    for (Region r : Region.values()) {
      if (!names.contains(RunFolder.uncertaintyOf(labelmap, r).getName())) {
        return false;
      }
    }
    return true;
  }

  /** Deletes the maps of {@code labelmap}; true when any existed. */
  static boolean delete(FileSystem fs, Path labelmap) throws IOException {
    boolean any = false;
    for (Region r : Region.values()) {
      Path p = RunFolder.uncertaintyOf(labelmap, r);
      any |= fs.exists(p) && fs.delete(p, false);
    }
    return any;
  }
}
