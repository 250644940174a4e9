package org.bratscv.model.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.bratscv.model.net.Cbam;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import org.bratscv.model.optim.Autograd;
import org.bratscv.model.train.checkpoint.TensorBundle.Tensor;

/**
 * An {@link EquiUnet}'s parameters under the names and shapes of the reference implementation's
 * {@code state_dict()} (lescientifik/open_brats2020, {@code src/models/unet.py}: {@code EquiUnet}
 * or, with attention, {@code Att_EquiUnet}), so that weights move between the two unchanged:
 *
 * <pre>
 * enc1..enc4, bottom      encoder1..encoder4, bottom   (Att_EquiUnet: encoderK.UBlock, .CBAM)
 *   cnr1, cnr2              ConvBnRelu1, ConvBnRelu2
 *     conv.weight             conv.weight
 *     norm.gamma, .beta       bn.weight, bn.bias
 * bottom2                 bottom_2                     (Att_EquiUnet: bottom_2.0, CBAM bottom_2.1)
 * dec3, dec2, dec1        decoder3, decoder2, decoder1
 * out                     outconv
 * dsBottom, dsBottom2     deep_bottom.0, deep_bottom2.0
 * dsDec3, dsDec2          deep3.0, deep2.0
 * CBAM mlpIn, mlpOut      ChannelGate.mlp.1, ChannelGate.mlp.3
 *      spatialConv        SpatialGate.spatial.conv
 *      spatialNorm        SpatialGate.spatial.bn
 * </pre>
 *
 * A zero-width channel gate (fewer than 16 channels) is written as the reference holds it: empty
 * {@code mlp.1.weight} (0, C), {@code mlp.1.bias} (0), {@code mlp.3.weight} (C, 0) and the shift as
 * {@code mlp.3.bias} (C). Neither norm keeps running statistics (GroupNorm, InstanceNorm3d without
 * {@code track_running_stats}), so the state dict holds parameters only.
 */
public final class ReferenceStateDict {
  private static final Pattern CHILD_INDEX = Pattern.compile("^\\d+");

  private ReferenceStateDict() {}

  /** The reference class this network corresponds to: {@code EquiUnet} or {@code Att_EquiUnet}. */
  public static String architecture(EquiUnet.Config config) {
    return config.attention() ? "Att_EquiUnet" : "EquiUnet";
  }

  /**
   * One entry of the reference state dict.
   *
   * @param parameter the network's parameter, or null for a tensor that is always empty
   */
  public record Slot(String name, long[] shape, Parameter parameter) {}

  /** Every entry of the reference state dict of {@code net} (initialised), in its order. */
  public static List<Slot> slots(EquiUnet net) {
    boolean attention = net.config().attention();
    List<Slot> out = new ArrayList<>();
    for (Pair<String, Parameter> p : net.getParameters()) {
      Parameter param = p.getValue();
      if (param.getShape() == null) {
        throw new IllegalStateException("parameter " + p.getKey() + " has no shape: initialise");
      }
      long[] shape = param.getShape().getShape();
      String name = referenceName(p.getKey(), attention);
      if (name.endsWith("." + Cbam.CHANNEL_SHIFT)) {
        String gate = name.substring(0, name.length() - Cbam.CHANNEL_SHIFT.length());
        long c = shape[0];
        out.add(new Slot(gate + "mlp.1.weight", new long[] {0, c}, null));
        out.add(new Slot(gate + "mlp.1.bias", new long[] {0}, null));
        out.add(new Slot(gate + "mlp.3.weight", new long[] {c, 0}, null));
        out.add(new Slot(gate + "mlp.3.bias", shape, param));
      } else {
        out.add(new Slot(name, shape, param));
      }
    }
    return out;
  }

  /** The parameters of {@code net} as the reference's state dict (float32 tensors). */
  public static List<Tensor> export(EquiUnet net) {
    List<Tensor> out = new ArrayList<>();
    for (Slot s : slots(net)) {
      float[] data = s.parameter() == null ? new float[0] : values(s);
      out.add(new Tensor(s.name(), s.shape(), data));
    }
    return out;
  }

  /**
   * Sets the parameters of {@code net} (initialised) from a reference state dict. Every entry must
   * be there with its exact shape and nothing else; {@code source} names the file in errors, which
   * list every difference.
   */
  public static void load(EquiUnet net, Map<String, Tensor> tensors, String source)
      throws IOException {
    List<Slot> slots = slots(net);
    Set<String> unexpected = new LinkedHashSet<>(tensors.keySet());
    List<String> missing = new ArrayList<>();
    List<String> misshapen = new ArrayList<>();
    for (Slot s : slots) {
      unexpected.remove(s.name());
      Tensor t = tensors.get(s.name());
      if (t == null) {
        missing.add(s.name());
      } else if (!Arrays.equals(t.shape(), s.shape())) {
        misshapen.add(
            s.name()
                + " is "
                + Arrays.toString(t.shape())
                + ", expected "
                + Arrays.toString(s.shape()));
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty() || !misshapen.isEmpty()) {
      EquiUnet.Config c = net.config();
      StringBuilder msg =
          new StringBuilder(source)
              .append(": not the state dict of the reference's ")
              .append(architecture(c))
              .append(" (width ")
              .append(c.width())
              .append(", ")
              .append(c.norm().name().toLowerCase(java.util.Locale.ROOT))
              .append(" norm, deep supervision ")
              .append(c.deepSupervision() ? "on" : "off")
              .append(")");
      appendList(msg, "missing", missing);
      appendList(msg, "unexpected", new ArrayList<>(unexpected));
      appendList(msg, "wrong shape", misshapen);
      throw new IOException(msg.toString());
    }
    try (Autograd paused = Autograd.paused()) {
      for (Slot s : slots) {
        if (s.parameter() != null) {
          s.parameter().getArray().set(tensors.get(s.name()).data());
        }
      }
    }
  }

  private static void appendList(StringBuilder msg, String what, List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    msg.append("; ").append(names.size()).append(' ').append(what).append(": ");
    msg.append(String.join(", ", names.subList(0, Math.min(6, names.size()))));
    if (names.size() > 6) {
      msg.append(", ...");
    }
  }

  private static float[] values(Slot s) {
    NDArray a = s.parameter().getArray();
    if (a.getDataType() != DataType.FLOAT32) {
      throw new IllegalStateException(
          "parameter " + s.name() + " is " + a.getDataType() + ", weights are exported as float32");
    }
    return a.toFloatArray();
  }

  /** The reference's name of the network parameter {@code djlName} (child indices dropped). */
  static String referenceName(String djlName, boolean attention) {
    String[] raw = djlName.split("_");
    List<String> parts = new ArrayList<>();
    for (String r : raw) {
      parts.add(CHILD_INDEX.matcher(r).replaceFirst(""));
    }
    String top = parts.get(0);
    List<String> rest = parts.subList(1, parts.size());
    String name =
        switch (top) {
          case "enc1", "enc2", "enc3", "enc4" ->
              "encoder" + top.substring(3) + (attention ? ".UBlock" : "") + uBlock(rest, djlName);
          case "bottom" -> "bottom" + (attention ? ".UBlock" : "") + uBlock(rest, djlName);
          case "bottom2" -> "bottom_2" + (attention ? ".0" : "") + convBnRelu(rest, djlName);
          case "dec3", "dec2", "dec1" -> "decoder" + top.substring(3) + uBlock(rest, djlName);
          case "out" -> "outconv" + leaf(rest, djlName);
          case "dsBottom" -> "deep_bottom.0" + head(rest, djlName);
          case "dsBottom2" -> "deep_bottom2.0" + head(rest, djlName);
          case "dsDec3" -> "deep3.0" + head(rest, djlName);
          case "dsDec2" -> "deep2.0" + head(rest, djlName);
          case "attEnc1", "attEnc2", "attEnc3", "attEnc4" ->
              "encoder" + top.substring(6) + ".CBAM" + cbam(rest, djlName);
          case "attBottom" -> "bottom.CBAM" + cbam(rest, djlName);
          case "attBottom2" -> "bottom_2.1" + cbam(rest, djlName);
          default -> throw unknown(djlName);
        };
    return name;
  }

  private static String uBlock(List<String> rest, String djlName) {
    if (rest.size() < 2) {
      throw unknown(djlName);
    }
    String block =
        switch (rest.get(0)) {
          case "cnr1" -> ".ConvBnRelu1";
          case "cnr2" -> ".ConvBnRelu2";
          default -> throw unknown(djlName);
        };
    return block + convBnRelu(rest.subList(1, rest.size()), djlName);
  }

  private static String convBnRelu(List<String> rest, String djlName) {
    if (rest.size() != 2) {
      throw unknown(djlName);
    }
    return switch (rest.get(0)) {
      case "conv" -> ".conv" + leaf(rest.subList(1, 2), djlName);
      case "norm" -> ".bn" + leaf(rest.subList(1, 2), djlName);
      default -> throw unknown(djlName);
    };
  }

  private static String head(List<String> rest, String djlName) {
    if (rest.size() != 2 || !rest.get(0).equals("Conv3d")) {
      throw unknown(djlName);
    }
    return leaf(rest.subList(1, 2), djlName);
  }

  private static String cbam(List<String> rest, String djlName) {
    if (rest.size() == 1 && rest.get(0).equals(Cbam.CHANNEL_SHIFT)) {
      return ".ChannelGate." + Cbam.CHANNEL_SHIFT;
    }
    if (rest.size() != 2) {
      throw unknown(djlName);
    }
    String block =
        switch (rest.get(0)) {
          case "mlpIn" -> ".ChannelGate.mlp.1";
          case "mlpOut" -> ".ChannelGate.mlp.3";
          case "spatialConv" -> ".SpatialGate.spatial.conv";
          case "spatialNorm" -> ".SpatialGate.spatial.bn";
          default -> throw unknown(djlName);
        };
    return block + leaf(rest.subList(1, 2), djlName);
  }

  private static String leaf(List<String> rest, String djlName) {
    if (rest.size() != 1) {
      throw unknown(djlName);
    }
    return switch (rest.get(0)) {
      case "weight", "gamma" -> ".weight";
      case "bias", "beta" -> ".bias";
      default -> throw unknown(djlName);
    };
  }

  private static IllegalStateException unknown(String djlName) {
    return new IllegalStateException(
        "parameter " + djlName + " has no counterpart in the reference's state dict");
  }

  /**
   * The metadata brats-cv writes into a safetensors file beside the weights, enough to rebuild the
   * network ({@link #config}); {@code format: pt} as torch's safetensors writer puts it.
   */
  public static Map<String, String> metadata(EquiUnet.Config c) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("format", "pt");
    m.put("architecture", architecture(c));
    m.put("width", Integer.toString(c.width()));
    m.put("norm", c.norm().name().toLowerCase(java.util.Locale.ROOT));
    m.put("deep_supervision", Boolean.toString(c.deepSupervision()));
    return m;
  }

  /**
   * The network a reference state dict belongs to: {@code architecture} ({@code EquiUnet} or {@code
   * Att_EquiUnet}), {@code width}, {@code norm} ({@code group} or {@code instance}) and deep
   * supervision, 4 inputs and 3 outputs, no dropout (inference).
   */
  public static EquiUnet.Config config(
      String architecture, int width, Norm norm, boolean deepSupervision) {
    boolean attention =
        switch (architecture) {
          case "EquiUnet" -> false;
          case "Att_EquiUnet" -> true;
          default ->
              throw new IllegalArgumentException(
                  "architecture '" + architecture + "' is not one of EquiUnet, Att_EquiUnet");
        };
    return EquiUnet.builder()
        .optWidth(width)
        .optNorm(norm)
        .optDeepSupervision(deepSupervision)
        .optAttention(attention)
        .config();
  }

  /** The network named by {@link #metadata} (a file brats-cv wrote); {@code source} for errors. */
  public static EquiUnet.Config config(Map<String, String> metadata, String source) {
    for (String key : List.of("architecture", "width", "norm", "deep_supervision")) {
      if (!metadata.containsKey(key)) {
        throw new IllegalArgumentException(
            source
                + ": its metadata does not name the network ("
                + key
                + " missing): give the architecture, width, norm and deep supervision");
      }
    }
    return config(
        metadata.get("architecture"),
        Integer.parseInt(metadata.get("width")),
        Norm.parse(metadata.get("norm")),
        Boolean.parseBoolean(metadata.get("deep_supervision")));
  }

  /** Writes {@code net}'s weights as a reference-named safetensors file with its metadata. */
  public static void write(EquiUnet net, OutputStream out) throws IOException {
    SafeTensors.write(out, export(net), metadata(net.config()));
  }

  /**
   * A network of {@code config} on {@code manager} with the weights of a reference-named
   * safetensors file; {@code source} names the file in errors.
   */
  public static EquiUnet read(
      EquiUnet.Config config, SafeTensors.Contents file, NDManager manager, String source)
      throws IOException {
    EquiUnet net = EquiUnet.builder().fromConfig(config).build();
    net.initialize(manager, 0);
    load(net, file.tensors(), source);
    return net;
  }

  /** Reference name to shape, in state-dict order: what a file for {@code net} must hold. */
  public static Map<String, long[]> shapes(EquiUnet net) {
    Map<String, long[]> out = new LinkedHashMap<>();
    slots(net).forEach(s -> out.put(s.name(), s.shape()));
    return out;
  }
}
