package org.bratscv.model.train.checkpoint;

import java.util.List;
import java.util.Map;
import org.bratscv.model.train.EpochLog;

/**
 * The small JSON file that makes a checkpoint folder complete: what training state it holds and the
 * SHA-256 and size of each payload file. It is written after the payloads (and its own checksum
 * file before it), so a folder without it is an unfinished write and is ignored.
 *
 * @param kind {@code epoch}, {@code best} or {@code final}
 * @param epoch the last completed epoch (0-based, counting main and SWA epochs together)
 * @param configFingerprint digest of the training configuration and fold that wrote it
 * @param bestValidationLoss lowest validation loss so far, null before the first validation
 * @param bestEpoch epoch of that loss, -1 before the first validation
 * @param optimizer the optimizer kind whose state is stored, null when none
 * @param optimizerSteps per-parameter update counts of that optimizer
 * @param swaCount number of snapshots in the stored SWA average (0: none)
 * @param history one row per completed epoch
 * @param entries payload file name to its checksum and size
 */
public record CheckpointManifest(
    int format,
    String kind,
    int epoch,
    String configFingerprint,
    Double bestValidationLoss,
    int bestEpoch,
    String optimizer,
    Map<String, Long> optimizerSteps,
    long swaCount,
    List<EpochLog> history,
    Map<String, Entry> entries) {

  public static final int FORMAT = 1;

  /** Checksum and size of one payload file. */
  public record Entry(String sha256, long bytes) {}

  /** The same manifest with its payload checksums set. */
  public CheckpointManifest withEntries(Map<String, Entry> newEntries) {
    return new CheckpointManifest(
        format,
        kind,
        epoch,
        configFingerprint,
        bestValidationLoss,
        bestEpoch,
        optimizer,
        optimizerSteps,
        swaCount,
        history,
        newEntries);
  }
}
