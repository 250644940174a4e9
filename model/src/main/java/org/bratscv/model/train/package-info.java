/**
 * Training of one fold of one pipeline variant: {@link org.bratscv.model.train.FoldTrainer} runs
 * the epochs (deep-supervision loss, validation, schedule, fast SWA or best-by-validation weights)
 * from a {@link org.bratscv.model.train.TrainingConfig} and a {@link
 * org.bratscv.model.train.SampleSource}, checkpointing after every epoch so a retried task resumes
 * exactly. Randomness comes only from {@link org.bratscv.model.train.TrainingSeeds}.
 */
package org.bratscv.model.train;
