package org.bratscv.model.infer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * One of the 16 test-time augmentations of METHOD.md: an optional flip of one spatial axis (D, H or
 * W) followed by {@code quarterTurns} rotations by 90 degrees in the axial (H, W) plane. Tensors
 * are (N, C, D, H, W); rotations use {@code rot90} semantics (from axis H towards axis W, as {@code
 * torch.rot90(x, k, dims=(3, 4))}).
 *
 * <p>{@link #apply} flips then rotates; {@link #invert} undoes the rotation (by {@code -k} quarter
 * turns) and then the flip, so {@code invert(apply(x)) == x} exactly for all 16, including the flip
 * H/W + 90/270 degree cases that the reference code inverts wrongly. A 90 or 270 degree turn swaps
 * H and W; the network is fully convolutional, so that only needs H and W to be multiples of 8.
 *
 * <p>Note: the 16 are only 12 distinct maps (flip H + 180 degrees is flip W, and flip H + 90 is
 * flip W + 270), so the in-plane mirror images count twice in the paper's average. The list keeps
 * the paper's 16; pass another list to {@link Ensemble.Builder#optAugmentations} to change that.
 *
 * @param flipAxis the flipped tensor axis: 2 (D), 3 (H), 4 (W), or -1 for none
 * @param quarterTurns rotation in the (H, W) plane, 0 to 3 quarter turns
 */
public record TestTimeAugmentation(int flipAxis, int quarterTurns) {
  private static final int[] PLANE = {3, 4};

  public TestTimeAugmentation {
    if (flipAxis != -1 && (flipAxis < 2 || flipAxis > 4)) {
      throw new IllegalArgumentException(
          "flip axis must be -1 (none), 2 (D), 3 (H) or 4 (W), got " + flipAxis);
    }
    if (quarterTurns < 0 || quarterTurns > 3) {
      throw new IllegalArgumentException("quarter turns must be 0..3, got " + quarterTurns);
    }
  }

  /** No flip, no rotation. */
  public static final TestTimeAugmentation IDENTITY = new TestTimeAugmentation(-1, 0);

  /**
   * The 16 transforms {none, flip D, flip H, flip W} x {0, 1, 2, 3 quarter turns}, identity first.
   */
  public static List<TestTimeAugmentation> all() {
    List<TestTimeAugmentation> list = new ArrayList<>(16);
    for (int flip : new int[] {-1, 2, 3, 4}) {
      for (int k = 0; k < 4; k++) {
        list.add(new TestTimeAugmentation(flip, k));
      }
    }
    return List.copyOf(list);
  }

  /** Only the identity: inference without test-time augmentation. */
  public static List<TestTimeAugmentation> none() {
    return List.of(IDENTITY);
  }

  /** Flip, then rotate. */
  public NDArray apply(NDArray x) {
    NDArray y = flipAxis < 0 ? x : x.flip(flipAxis);
    return quarterTurns == 0 ? y : y.rotate90(quarterTurns, PLANE);
  }

  /** Undo the rotation, then the flip: maps an output of {@code apply(x)} back onto {@code x}. */
  public NDArray invert(NDArray y) {
    NDArray x = quarterTurns == 0 ? y : y.rotate90(4 - quarterTurns, PLANE);
    return flipAxis < 0 ? x : x.flip(flipAxis);
  }

  @Override
  public String toString() {
    String flip =
        switch (flipAxis) {
          case 2 -> "flipD";
          case 3 -> "flipH";
          case 4 -> "flipW";
          default -> "noflip";
        };
    return flip + "+rot" + (90 * quarterTurns);
  }
}
