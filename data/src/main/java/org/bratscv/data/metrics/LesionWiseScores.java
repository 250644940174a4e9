package org.bratscv.data.metrics;

/**
 * One region's lesion-wise scores of one case, as the BraTS 2023+ evaluation defines them (see
 * {@link LesionWiseScorer}).
 *
 * @param dice mean Dice over the scored entries (lesions above the volume threshold and false
 *     positive components); 1 when there is no entry
 * @param hd95 mean surface HD95 over the same entries, in mm; 0 when there is no entry
 * @param truePositives ground-truth lesions above the threshold that some predicted component meets
 * @param falseNegatives ground-truth lesions above the threshold that no predicted component meets
 * @param falsePositives predicted components that meet no ground-truth lesion (of any volume)
 * @param leftOut ground-truth lesions at or below the volume threshold
 */
public record LesionWiseScores(
    double dice,
    double hd95,
    int truePositives,
    int falseNegatives,
    int falsePositives,
    int leftOut) {}
