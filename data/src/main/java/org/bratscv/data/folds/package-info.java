/**
 * Cross-validation splits: seeded K-fold over case ids ({@link org.bratscv.data.folds.KFold}), the
 * split as a value ({@link org.bratscv.data.folds.FoldSplit}) and its JSON files, including
 * nnU-Net's {@code splits_final.json} ({@link org.bratscv.data.folds.FoldSplitJson}).
 */
package org.bratscv.data.folds;
