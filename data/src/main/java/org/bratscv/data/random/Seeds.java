package org.bratscv.data.random;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Derives the seed of every random choice of a run from the run seed and what the choice is about
 * (case id, epoch, fold, purpose), so that a run is reproducible and a retried Spark task redoes
 * exactly the same work on any JVM.
 *
 * <p>The mix is fixed and documented so that it never changes silently: strings are hashed with
 * 64-bit FNV-1a over their UTF-8 bytes (never {@link String#hashCode()}, never object identity),
 * and values are folded in one at a time with {@link #combine}, which applies the SplitMix64
 * finaliser ({@link #mix64}) to {@code h + 0x9E3779B97F4A7C15 + mix64(v)}. Because each step is a
 * non-linear mix of the running state, the order of the parts matters: (case, epoch 1, fold 2) and
 * (case, epoch 2, fold 1) give unrelated seeds.
 *
 * <p>Generators are {@link SplittableRandom} instances (a {@link
 * java.util.random.RandomGenerator}); their output for a given seed is specified by the JDK and
 * stable across Java versions.
 */
public final class Seeds {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Seeds() {}

  /** The seed for case {@code caseId} in training epoch {@code epoch} of run {@code runSeed}. */
  public static long derive(long runSeed, String caseId, int epoch) {
    return combine(combine(combine(runSeed, stableHash("case")), stableHash(caseId)), epoch);
  }

  /** As {@link #derive(long, String, int)}, for one fold of a cross-validation. */
  public static long derive(long runSeed, String caseId, int epoch, int fold) {
    return combine(combine(derive(runSeed, caseId, epoch), stableHash("fold")), fold);
  }

  /**
   * An independent sub-seed of {@code seed} for one purpose, e.g. {@code child(run, "folds")} or
   * {@code child(caseSeed, "patch")}, so that two uses of one seed never share a stream.
   */
  public static long child(long seed, String purpose) {
    return combine(seed, stableHash(purpose));
  }

  /** An independent sub-seed of {@code seed} for the {@code index}-th item (channel, step, ...). */
  public static long child(long seed, long index) {
    return combine(seed, index);
  }

  /** A generator for {@code seed}. */
  public static SplittableRandom random(long seed) {
    return new SplittableRandom(seed);
  }

  /** Folds {@code value} into the running hash {@code h} (order-sensitive). */
  public static long combine(long h, long value) {
    return mix64(h + GOLDEN_GAMMA + mix64(value));
  }

  /** 64-bit FNV-1a over the UTF-8 bytes of {@code text}, then {@link #mix64}. */
  public static long stableHash(String text) {
    long h = FNV_OFFSET;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= FNV_PRIME;
    }
    return mix64(h);
  }

  /** The SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit avalanche mix. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
