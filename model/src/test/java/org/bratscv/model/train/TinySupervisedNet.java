package org.bratscv.model.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A stand-in for EquiUnet in tests: one 3x3x3 conv + ReLU, then a 1x1x1 head for the main output
 * and another for one auxiliary output, ending in a sigmoid (probabilities) or not (logits, like
 * EquiUnet). Training mode returns (main, aux); inference mode returns (main), like the real
 * network.
 */
final class TinySupervisedNet extends AbstractBlock {

  private final int regions;
  private final Block hidden;
  private final Block main;
  private final Block aux;

  TinySupervisedNet(int width, int regions) {
    this(width, regions, true);
  }

  TinySupervisedNet(int width, int regions, boolean sigmoid) {
    this.regions = regions;
    hidden =
        addChildBlock(
            "hidden",
            new SequentialBlock()
                .add(
                    Conv3d.builder()
                        .setKernelShape(new Shape(3, 3, 3))
                        .optPadding(new Shape(1, 1, 1))
                        .setFilters(width)
                        .build())
                .add(Activation::relu));
    main = addChildBlock("main", head(regions, sigmoid));
    aux = addChildBlock("aux", head(regions, sigmoid));
  }

  private static Block head(int regions, boolean sigmoid) {
    SequentialBlock head =
        new SequentialBlock()
            .add(Conv3d.builder().setKernelShape(new Shape(1, 1, 1)).setFilters(regions).build());
    return sigmoid ? head.add(Activation::sigmoid) : head;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList h = hidden.forward(ps, inputs, training);
    NDList m = main.forward(ps, h, training);
    if (!training) {
      return m;
    }
    return new NDList(m.head(), aux.forward(ps, h, training).head());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), regions, s.get(2), s.get(3), s.get(4))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    hidden.initialize(manager, dataType, inputShapes);
    Shape[] h = hidden.getOutputShapes(inputShapes);
    main.initialize(manager, dataType, h);
    aux.initialize(manager, dataType, h);
  }
}
