package org.bratscv.model.train;

import java.util.List;
import java.util.SplittableRandom;
import org.bratscv.data.random.Seeds;

/**
 * Every random choice of one fold's training, derived with the data module's {@link Seeds} from
 * (run seed, fold, epoch, case), so that the whole random state of a run at an epoch boundary is
 * just the epoch number: resuming or retrying reproduces the same case order, patches and
 * augmentations on any JVM.
 */
public record TrainingSeeds(long runSeed, int fold) {

  /** Seed of the network initialisation of this fold. */
  public long initSeed() {
    return Seeds.combine(Seeds.child(runSeed, "init"), fold);
  }

  /** Seed of the case order of {@code epoch}. */
  public long orderSeed(int epoch) {
    return Seeds.combine(Seeds.combine(Seeds.child(runSeed, "case-order"), fold), epoch);
  }

  /** Seed of everything random about {@code caseId} in {@code epoch} (patch, augmentation). */
  public long caseSeed(int epoch, String caseId) {
    return Seeds.derive(runSeed, caseId, epoch, fold);
  }

  /** The cases of {@code epoch} in their seeded order (Fisher-Yates; the input is not changed). */
  public List<String> caseOrder(int epoch, List<String> cases) {
    String[] order = cases.toArray(new String[0]);
    SplittableRandom rng = Seeds.random(orderSeed(epoch));
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      String t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return List.of(order);
  }
}
