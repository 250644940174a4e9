/**
 * Per-case preprocessing of the method, before training and inference: file checks ({@link
 * org.bratscv.data.preprocess.CaseConsistencyCheck}), intensity normalisation of pipeline A or B
 * ({@link org.bratscv.data.preprocess.Normalization}), the brain crop and its inverse ({@link
 * org.bratscv.data.preprocess.BrainBoundingBox}, {@link org.bratscv.data.preprocess.BrainCrop}),
 * all chained by {@link org.bratscv.data.preprocess.CasePreparation}; and, for training, random
 * fixed-size patches ({@link org.bratscv.data.preprocess.TrainingPatch}) with their region targets
 * ({@link org.bratscv.data.preprocess.RegionTargets}). Pure functions on arrays; no I/O.
 */
package org.bratscv.data.preprocess;
