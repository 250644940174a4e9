package org.bratscv.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Casts a trained network to float16 for inference, in place, the way {@code torch.cuda.amp}'s
 * autocast runs the reference: convolutions and linear layers in float16, normalisation in float32.
 * DJL 0.36's {@code Block.cast} throws "Not implemented yet" for every block, and {@code
 * Parameter.setArray} refuses a parameter that has a shape, so each weight is re-loaded through
 * DJL's own parameter format ({@code Parameter.save}/{@code load}) holding its float16 copy.
 *
 * <p>Norm scales and shifts ({@link Parameter.Type#GAMMA}, {@link Parameter.Type#BETA}, running
 * statistics) stay float32: {@link ChannelGroupNorm} computes its statistics in float32 from a
 * float16 input and hands back float16, as autocast runs {@code group_norm} in float32 (and cuDNN's
 * batch norm under {@code instance_norm} keeps float32 statistics and affine parameters).
 *
 * <p>The cast is for inference only: re-loaded parameters carry no gradient. A cast network must
 * not be shared with a float32 user, and a {@code ParameterStore} that served the network before
 * the cast still holds the old (closed) arrays: forward with a new store.
 */
public final class HalfPrecision {
  private HalfPrecision() {}

  /** True for parameters that stay float32 in a float16 network: the norms'. */
  public static boolean keptInFloat32(Parameter p) {
    return switch (p.getType()) {
      case GAMMA, BETA, RUNNING_MEAN, RUNNING_VAR -> true;
      default -> false;
    };
  }

  /**
   * Casts every initialised parameter of {@code block} except the norms' to float16, on the device
   * and in the manager it lives in. Idempotent: float16 parameters are left as they are.
   *
   * @return how many parameters were cast by this call
   */
  public static int cast(Block block) {
    int cast = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      Parameter param = p.getValue();
      if (!param.isInitialized() || keptInFloat32(param)) {
        continue;
      }
      NDArray old = param.getArray();
      if (old.getDataType() == DataType.FLOAT16) {
        continue;
      }
      if (old.getDataType() != DataType.FLOAT32) {
        throw new IllegalStateException(
            "parameter " + p.getKey() + " is " + old.getDataType() + ", expected float32");
      }
      replace(param, old.toType(DataType.FLOAT16, false));
      cast++;
    }
    return cast;
  }

  private static void replace(Parameter param, NDArray half) {
    NDArray old = param.getArray();
    NDManager manager = old.getManager();
    try {
      // A shapeless twin accepts setArray and writes DJL's parameter record; the original reads it.
      Parameter twin =
          Parameter.builder().setName(param.getName()).setType(param.getType()).build();
      twin.setArray(half);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        twin.save(out);
      }
      param.load(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    } catch (IOException e) {
      throw new UncheckedIOException("casting parameter " + param.getName() + " to float16", e);
    } catch (ai.djl.MalformedModelException e) {
      throw new IllegalStateException("casting parameter " + param.getName() + " to float16", e);
    } finally {
      half.close();
    }
    old.close();
  }
}
