package org.bratscv.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Deep supervision: the same {@link SoftDiceLoss} applied to the main output and to each auxiliary
 * output, summed without weights (main + the four auxiliary losses for EquiUnet).
 *
 * <p>{@code predictions} is the network's training output: main output first, then the auxiliary
 * outputs, each already upsampled to the target's size (probabilities or logits, as the term's
 * {@link SoftDiceLoss.Input} says). A single-element list (the inference output) gives just the
 * main loss.
 */
public final class DeepSupervisionLoss extends Loss {

  private final SoftDiceLoss term;

  public DeepSupervisionLoss(SoftDiceLoss term) {
    super("deep_supervision_" + term.getName());
    this.term = term;
  }

  public SoftDiceLoss term() {
    return term;
  }

  /** Sum of the term over every output in {@code outputs} against the one {@code target}. */
  public NDArray loss(NDList outputs, NDArray target) {
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("deep supervision loss: the network returned no output");
    }
    NDArray total = term.loss(outputs.get(0), target);
    for (int i = 1; i < outputs.size(); i++) {
      NDArray aux = outputs.get(i);
      if (!aux.getShape().equals(target.getShape())) {
        throw new IllegalArgumentException(
            "deep supervision loss: output "
                + i
                + " has shape "
                + aux.getShape()
                + " but the target has "
                + target.getShape()
                + " (auxiliary outputs must be upsampled to full size)");
      }
      total = total.add(term.loss(aux, target));
    }
    return total;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return loss(predictions, labels.head());
  }
}
