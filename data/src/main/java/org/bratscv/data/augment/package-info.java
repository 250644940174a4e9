/**
 * Training-time augmentation of patches, pipeline A ({@link
 * org.bratscv.data.augment.AugmentationA}) and B ({@link org.bratscv.data.augment.AugmentationB}),
 * with the paper's probabilities as configurable record fields and randomness only from an
 * explicit, seeded generator.
 */
package org.bratscv.data.augment;
