package org.bratscv.model.train;

/**
 * One example for the network, in C order: {@code image} has shape (C, D, H, W) and {@code target}
 * (R, D, H, W) with R region channels (ET, TC, WT) of 0/1. For training it is an augmented patch of
 * the configured size; for validation a whole cropped, normalised volume of any size.
 */
public record Sample(
    String caseId,
    int channels,
    int regions,
    int depth,
    int height,
    int width,
    float[] image,
    float[] target) {

  public Sample {
    if (channels <= 0 || regions <= 0 || depth <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "case "
              + caseId
              + ": sample sizes must be positive, got C="
              + channels
              + " R="
              + regions
              + " "
              + depth
              + "x"
              + height
              + "x"
              + width);
    }
    long voxels = (long) depth * height * width;
    if (image.length != channels * voxels) {
      throw new IllegalArgumentException(
          "case "
              + caseId
              + ": image has "
              + image.length
              + " values, expected "
              + channels
              + " x "
              + voxels);
    }
    if (target.length != regions * voxels) {
      throw new IllegalArgumentException(
          "case "
              + caseId
              + ": target has "
              + target.length
              + " values, expected "
              + regions
              + " x "
              + voxels);
    }
  }

  public int voxels() {
    return depth * height * width;
  }
}
