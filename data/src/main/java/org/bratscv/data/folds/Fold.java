package org.bratscv.data.folds;

import java.util.List;

/**
 * One fold of a cross-validation: the cases a model trains on and the held-out cases it is
 * monitored and benchmarked on.
 *
 * @param fold index, 0-based
 * @param train case ids to train on
 * @param val held-out case ids
 */
public record Fold(int fold, List<String> train, List<String> val) implements java.io.Serializable {
  public Fold {
    train = List.copyOf(train);
    val = List.copyOf(val);
  }
}
