package org.bratscv.model.net;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/** Counting a block's parameters (the number torch's {@code sum(p.numel())} reports). */
public final class Parameters {
  private Parameters() {}

  /**
   * Total number of values in {@code block}'s parameters. Shapes are known once the block is
   * initialised; a parameter without a shape yet fails with its name.
   */
  public static long count(Block block) {
    long total = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().getShape() == null) {
        throw new IllegalStateException(
            "parameter " + p.getKey() + " has no shape yet: initialise the block first");
      }
      total += p.getValue().getShape().size();
    }
    return total;
  }
}
