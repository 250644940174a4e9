package org.bratscv.data.folds;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.bratscv.data.random.Seeds;

/**
 * Seeded K-fold assignment over case ids, independent of the order the ids were listed in: the ids
 * are sorted (by {@link String#compareTo}, locale-free), shuffled with a Fisher-Yates shuffle
 * driven by {@code Seeds.child(runSeed, "kfold")}, then dealt into K contiguous chunks whose sizes
 * differ by at most one (the first {@code n mod K} folds get one more, as scikit-learn's KFold).
 * Fold f validates on chunk f and trains on all other cases; both lists are stored sorted.
 */
public final class KFold {
  /** The paper's number of folds. */
  public static final int DEFAULT_K = 5;

  private KFold() {}

  /** The split of {@code caseIds} into {@code k} folds for run seed {@code runSeed}. */
  public static FoldSplit split(Collection<String> caseIds, int k, long runSeed) {
    List<String> ids = new ArrayList<>(caseIds);
    Collections.sort(ids);
    for (int i = 1; i < ids.size(); i++) {
      if (ids.get(i).equals(ids.get(i - 1))) {
        throw new IllegalArgumentException("case id " + ids.get(i) + " is listed twice");
      }
    }
    if (k < 2) {
      throw new IllegalArgumentException("a cross-validation needs at least 2 folds, got k=" + k);
    }
    if (ids.size() < k) {
      throw new IllegalArgumentException(
          "cannot split " + ids.size() + " cases into " + k + " folds: need at least one per fold");
    }
    SplittableRandom rng = Seeds.random(Seeds.child(runSeed, "kfold"));
    for (int i = ids.size() - 1; i > 0; i--) {
      Collections.swap(ids, i, rng.nextInt(i + 1));
    }
    int n = ids.size();
    List<Fold> folds = new ArrayList<>(k);
    int start = 0;
    for (int f = 0; f < k; f++) {
      int size = n / k + (f < n % k ? 1 : 0);
      List<String> val = new ArrayList<>(ids.subList(start, start + size));
      List<String> train = new ArrayList<>(ids.subList(0, start));
      train.addAll(ids.subList(start + size, n));
      Collections.sort(val);
      Collections.sort(train);
      folds.add(new Fold(f, train, val));
      start += size;
    }
    return new FoldSplit(runSeed, k, folds);
  }
}
