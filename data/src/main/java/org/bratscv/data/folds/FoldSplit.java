package org.bratscv.data.folds;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A K-fold cross-validation split of a data set's case ids, as the folds stage writes it and the
 * train stage reads it; either drawn by {@link KFold} or imported from nnU-Net.
 *
 * <p>Always valid: every case is in exactly one fold's val set, and no fold trains on a case it
 * validates on. A fold's train list may leave cases out (e.g. the paper's "patient removal"
 * variant), but every case it names must be some fold's val case.
 *
 * @param seed the run seed the split was drawn with, or null when it was imported
 * @param k number of folds
 * @param folds the folds, in index order 0..k-1
 */
public record FoldSplit(Long seed, int k, List<Fold> folds) implements java.io.Serializable {
  public FoldSplit {
    folds = List.copyOf(folds);
    validate(k, folds);
  }

  /** Fold {@code index} (0-based). */
  public Fold fold(int index) {
    if (index < 0 || index >= k) {
      throw new IllegalArgumentException("fold must be in 0.." + (k - 1) + ", got " + index);
    }
    return folds.get(index);
  }

  /** Every case id of the split, sorted. */
  public List<String> caseIds() {
    TreeSet<String> all = new TreeSet<>();
    for (Fold f : folds) {
      all.addAll(f.val());
    }
    return List.copyOf(all);
  }

  /** The fold whose val set holds {@code caseId}. */
  public int foldOf(String caseId) {
    for (Fold f : folds) {
      if (f.val().contains(caseId)) {
        return f.fold();
      }
    }
    throw new IllegalArgumentException("case " + caseId + " is not in this split");
  }

  private static void validate(int k, List<Fold> folds) {
    if (k < 2) {
      throw new IllegalArgumentException("a cross-validation needs at least 2 folds, got k=" + k);
    }
    if (folds.size() != k) {
      throw new IllegalArgumentException("k=" + k + " but " + folds.size() + " folds are given");
    }
    Map<String, Integer> valFold = new HashMap<>();
    for (int i = 0; i < k; i++) {
      Fold f = folds.get(i);
      if (f.fold() != i) {
        throw new IllegalArgumentException(
            "fold at position " + i + " has index " + f.fold() + "; folds must be in order 0..k-1");
      }
      if (f.val().isEmpty()) {
        throw new IllegalArgumentException("fold " + i + " has no val cases");
      }
      for (String id : f.val()) {
        Integer previous = valFold.put(id, i);
        if (previous != null) {
          throw new IllegalArgumentException(
              previous == i
                  ? "case " + id + " is listed twice in the val set of fold " + i
                  : "case " + id + " is in the val sets of folds " + previous + " and " + i);
        }
      }
    }
    for (Fold f : folds) {
      Set<String> seen = new HashSet<>();
      Set<String> val = new HashSet<>(f.val());
      List<String> overlap = new ArrayList<>();
      for (String id : f.train()) {
        if (!seen.add(id)) {
          throw new IllegalArgumentException(
              "case " + id + " is listed twice in the train set of fold " + f.fold());
        }
        if (val.contains(id)) {
          overlap.add(id);
        } else if (!valFold.containsKey(id)) {
          throw new IllegalArgumentException(
              "case " + id + " is in the train set of fold " + f.fold() + " but in no val set");
        }
      }
      if (!overlap.isEmpty()) {
        throw new IllegalArgumentException(
            "fold "
                + f.fold()
                + " trains on "
                + overlap.size()
                + " of its own val cases: "
                + overlap.subList(0, Math.min(5, overlap.size()))
                + (overlap.size() > 5 ? " ..." : ""));
      }
    }
  }
}
