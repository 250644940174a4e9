package org.bratscv.model.train;

import java.nio.charset.StandardCharsets;

/**
 * Every random choice of a training run, derived from (run seed, fold, epoch, case) so that the
 * whole random state of a run at an epoch boundary is just the epoch number: resuming or retrying
 * reproduces the same case order, patches and augmentations.
 */
public record TrainingSeeds(long runSeed, int fold) {

  /** Seed of the network initialisation of this fold. */
  public long initSeed() {
    return mix(mix(runSeed, fold), 0x1A17L);
  }

  /** Seed of the case order of {@code epoch}. */
  public long orderSeed(int epoch) {
    return mix(mix(mix(runSeed, fold), epoch), 0x0DE4L);
  }

  /** Seed of everything random about {@code caseId} in {@code epoch} (patch, augmentation). */
  public long caseSeed(int epoch, String caseId) {
    long h = mix(mix(runSeed, fold), epoch);
    for (byte b : caseId.getBytes(StandardCharsets.UTF_8)) {
      h = mix(h, b);
    }
    return h;
  }

  /** SplitMix64 finaliser over the running hash and one more value. */
  static long mix(long h, long v) {
    long z = h + 0x9E3779B97F4A7C15L * (v + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
