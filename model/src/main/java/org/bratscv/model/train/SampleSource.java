package org.bratscv.model.train;

import java.io.IOException;

/**
 * Where a {@link FoldTrainer} gets its data (the jobs stage backs it with the data module's
 * preprocessing, patch sampling, augmentation and region targets). Implementations must be
 * deterministic: the same (case, epoch) gives the same sample, with every random choice seeded from
 * {@link TrainingSeeds#caseSeed}, so a resumed run redoes exactly the same work. {@link
 * #trainingSample} is called from a prefetching thread ({@link SamplePrefetcher}) while the trainer
 * steps, and {@link #validationVolume} from the trainer's own thread once an epoch's samples are
 * drawn; they never run at the same time, but a source shared by several trainers must be
 * thread-safe.
 */
public interface SampleSource {

  /** The augmented training patch of {@code caseId} for {@code epoch}, of the configured size. */
  Sample trainingSample(String caseId, int epoch, TrainingSeeds seeds) throws IOException;

  /** The whole preprocessed volume of a held-out case, unaugmented, any size. */
  Sample validationVolume(String caseId) throws IOException;
}
