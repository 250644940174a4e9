package org.bratscv.jobs.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What made a set of per-case outputs (the labelmaps of a prediction prefix): the settings shared
 * by all of them, and per case the fingerprint of everything that made its outputs (settings, its
 * models, its input). A case whose entry differs from the one a rerun computes is stale.
 */
public record CaseFingerprints(
    @JsonProperty("settings") Fingerprint settings,
    @JsonProperty("cases") SortedMap<String, String> cases) {

  public CaseFingerprints {
    cases = new TreeMap<>(cases);
  }

  public CaseFingerprints(Fingerprint settings, Map<String, String> cases) {
    this(settings, new TreeMap<>(cases));
  }

  /** These entries with {@code now}'s added or replaced. */
  public CaseFingerprints with(Fingerprint settings, Map<String, String> now) {
    TreeMap<String, String> all = new TreeMap<>(cases);
    all.putAll(now);
    return new CaseFingerprints(settings, all);
  }

  public void write(FileSystem fs, Path file) throws IOException {
    RunJson.write(fs, file, this);
  }

  /** The record in {@code file}; null when there is none or it cannot be read (all stale). */
  public static CaseFingerprints read(FileSystem fs, Path file) throws IOException {
    if (!fs.exists(file)) {
      return null;
    }
    try {
      return RunJson.read(fs, file, CaseFingerprints.class, "prediction fingerprint record");
    } catch (IOException e) {
      return null;
    }
  }
}
