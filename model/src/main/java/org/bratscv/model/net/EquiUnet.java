package org.bratscv.model.net;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.model.engine.OneDnnConv;

/**
 * The paper's network, "EquiUnet": a 3-D U-Net whose blocks keep the same width at each level
 * (METHOD.md, "Network"). With width {@code w}:
 *
 * <pre>
 * enc1 = UBlock(4, w, w)        -> maxpool 2
 * enc2 = UBlock(w, 2w, 2w)      -> maxpool 2
 * enc3 = UBlock(2w, 4w, 4w)     -> maxpool 2
 * enc4 = UBlock(4w, 8w, 8w)
 * bottom  = UBlock(8w, 8w, 8w), both convolutions dilated by 2
 * bottom2 = ConvNormRelu(concat(enc4, bottom) = 16w -> 4w)
 * dec3 = UBlock(concat(enc3, up(bottom2)) = 8w, 4w, 2w)
 * dec2 = UBlock(concat(enc2, up(dec3)) = 4w, 2w, w)
 * dec1 = UBlock(concat(enc1, up(dec2)) = 2w, w, w)
 * out  = 1x1x1 conv w -> 3 (ET, TC, WT), with bias
 * </pre>
 *
 * {@code up} is trilinear x2 with align_corners. With deep supervision, four heads (1x1x1 conv to 3
 * + trilinear upsampling to full size) read bottom (x8), bottom2 (x8), dec3 (x4) and dec2 (x2).
 * With attention, a {@link Cbam} follows enc1..enc4, bottom and bottom2.
 *
 * <p>Input (N, 4, D, H, W), float, D, H, W multiples of 8. Output: <b>logits</b> (N, 3, D, H, W);
 * the sigmoid is applied by the loss and by inference (numerically safer, and what the reference
 * does). In training mode with deep supervision the output list is {@code [main, bottom, bottom2,
 * dec3, dec2]}, all full size; otherwise it is {@code [main]}.
 */
public final class EquiUnet extends AbstractBlock {
  private static final byte VERSION = 1;
  private static final Shape POOL = new Shape(2, 2, 2);

  private final Config config;
  private final UBlock enc1;
  private final UBlock enc2;
  private final UBlock enc3;
  private final UBlock enc4;
  private final UBlock bottom;
  private final ConvNormRelu bottom2;
  private final UBlock dec3;
  private final UBlock dec2;
  private final UBlock dec1;
  private final Block out;
  private final TrilinearUpsample up;
  private final Block[] attention;
  private final Block[] heads;

  /**
   * What defines one EquiUnet; two networks with equal configs have identically shaped parameters.
   *
   * @param width feature width {@code w} of the first level (48 in the paper)
   * @param norm GROUP (pipeline A) or INSTANCE (pipeline B)
   * @param deepSupervision whether the four auxiliary heads exist (used in training only)
   * @param attention whether CBAM blocks follow the encoder stages, bottom and bottom2
   * @param dropout dropout rate after every ConvNormRelu (0: none)
   * @param inChannels input channels (4 modalities)
   * @param outChannels output channels (3 regions)
   */
  public record Config(
      int width,
      Norm norm,
      boolean deepSupervision,
      boolean attention,
      float dropout,
      int inChannels,
      int outChannels) {
    public Config {
      if (width <= 0) {
        throw new IllegalArgumentException("EquiUnet width must be positive, got " + width);
      }
      if (norm == null) {
        throw new IllegalArgumentException("EquiUnet needs a norm (GROUP or INSTANCE)");
      }
      if (dropout < 0 || dropout >= 1) {
        throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + dropout);
      }
      if (inChannels <= 0 || outChannels <= 0) {
        throw new IllegalArgumentException(
            "channels must be positive, got in " + inChannels + ", out " + outChannels);
      }
    }
  }

  private EquiUnet(Config c) {
    super(VERSION);
    this.config = c;
    int w = c.width();
    List<Block> att = new ArrayList<>();
    enc1 = addChildBlock("enc1", ublock(c.inChannels(), w, w, 1));
    attend(att, "attEnc1", w);
    enc2 = addChildBlock("enc2", ublock(w, 2 * w, 2 * w, 1));
    attend(att, "attEnc2", 2 * w);
    enc3 = addChildBlock("enc3", ublock(2 * w, 4 * w, 4 * w, 1));
    attend(att, "attEnc3", 4 * w);
    enc4 = addChildBlock("enc4", ublock(4 * w, 8 * w, 8 * w, 1));
    attend(att, "attEnc4", 8 * w);
    bottom = addChildBlock("bottom", ublock(8 * w, 8 * w, 8 * w, 2));
    attend(att, "attBottom", 8 * w);
    bottom2 =
        addChildBlock(
            "bottom2",
            ConvNormRelu.builder()
                .setInChannels(16 * w)
                .setOutChannels(4 * w)
                .setNorm(c.norm())
                .optDropout(c.dropout())
                .build());
    attend(att, "attBottom2", 4 * w);
    dec3 = addChildBlock("dec3", ublock(8 * w, 4 * w, 2 * w, 1));
    dec2 = addChildBlock("dec2", ublock(4 * w, 2 * w, w, 1));
    dec1 = addChildBlock("dec1", ublock(2 * w, w, w, 1));
    out = addChildBlock("out", conv1x1(c.outChannels()));
    up = addChildBlock("up", TrilinearUpsample.builder().setScale(2).build());
    attention = att.toArray(new Block[0]);
    if (c.deepSupervision()) {
      heads =
          new Block[] {
            addChildBlock("dsBottom", head(c.outChannels(), 8)),
            addChildBlock("dsBottom2", head(c.outChannels(), 8)),
            addChildBlock("dsDec3", head(c.outChannels(), 4)),
            addChildBlock("dsDec2", head(c.outChannels(), 2))
          };
    } else {
      heads = new Block[0];
    }
  }

  public Config config() {
    return config;
  }

  private UBlock ublock(int in, int mid, int outCh, int dilation) {
    return UBlock.builder()
        .setChannels(in, mid, outCh)
        .setNorm(config.norm())
        .optDilation(dilation)
        .optDropout(config.dropout())
        .build();
  }

  private void attend(List<Block> att, String name, int channels) {
    if (config.attention()) {
      att.add(
          addChildBlock(name, Cbam.builder().setChannels(channels).setNorm(config.norm()).build()));
    }
  }

  private static Block conv1x1(int outChannels) {
    return Conv3d.builder()
        .setKernelShape(new Shape(1, 1, 1))
        .setFilters(outChannels)
        .optBias(true)
        .build();
  }

  private static Block head(int outChannels, int scale) {
    return new SequentialBlock()
        .add(conv1x1(outChannels))
        .add(TrilinearUpsample.builder().setScale(scale).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    checkInput(x.getShape());
    Device device = x.getDevice();
    boolean channelsLast = ChannelsLast.on(device, config.width(), training);
    boolean firstLevel =
        !channelsLast && ChannelsLast.firstLevelOn(device, config.width(), training);
    // the norms and the upsampling follow the layout chosen here for this forward pass
    try (ChannelsLast.Scope layout = ChannelsLast.forced(channelsLast)) {
      return forward(
          ps, channelsLast ? OneDnnConv.channelsLast(x) : x, training, params, firstLevel);
    }
  }

  /**
   * The network on {@code x} in this pass's layout, or with its first level channels-last in an
   * otherwise plain pass ({@code firstLevel}, {@link ChannelsLast#firstLevelOn}).
   */
  private NDList forward(
      ParameterStore ps,
      NDArray x,
      boolean training,
      PairList<String, Object> params,
      boolean firstLevel) {
    Stage s = new Stage(ps, training, params);
    NDArray d1;
    NDArray pooled;
    try (ChannelsLast.Scope first = firstLevel ? ChannelsLast.forced(true) : null) {
      d1 = s.attend(0, s.run(enc1, firstLevel ? OneDnnConv.channelsLast(x) : x));
      pooled = pool(d1);
    }
    NDArray d2 = s.attend(1, s.run(enc2, firstLevel ? OneDnnConv.plain(pooled) : pooled));
    NDArray d3 = s.attend(2, s.run(enc3, pool(d2)));
    NDArray d4 = s.attend(3, s.run(enc4, pool(d3)));
    NDArray b = s.attend(4, s.run(bottom, d4));
    NDArray b2 = s.attend(5, s.run(bottom2, d4.concat(b, 1)));
    NDArray u3 = s.run(dec3, d3.concat(s.run(up, b2), 1));
    NDArray u2 = s.run(dec2, d2.concat(s.run(up, u3), 1));
    NDArray main;
    try (ChannelsLast.Scope first = firstLevel ? ChannelsLast.forced(true) : null) {
      // upsampled in the layout: the level-2 array is an eighth of the level-1 one
      NDArray up1 = s.run(up, firstLevel ? OneDnnConv.channelsLast(u2) : u2);
      NDArray u1 = s.run(dec1, d1.concat(up1, 1));
      main = s.run(out, u1);
    }
    if (!training || heads.length == 0) {
      return new NDList(main);
    }
    return new NDList(
        main, s.run(heads[0], b), s.run(heads[1], b2), s.run(heads[2], u3), s.run(heads[3], u2));
  }

  /** Runs children with the same parameter store and mode; applies attention where enabled. */
  private final class Stage {
    private final ParameterStore ps;
    private final boolean training;
    private final PairList<String, Object> params;

    Stage(ParameterStore ps, boolean training, PairList<String, Object> params) {
      this.ps = ps;
      this.training = training;
      this.params = params;
    }

    NDArray run(Block block, NDArray x) {
      return block.forward(ps, new NDList(x), training, params).singletonOrThrow();
    }

    NDArray attend(int index, NDArray x) {
      return attention.length == 0 ? x : run(attention[index], x);
    }
  }

  private static NDArray pool(NDArray x) {
    return Pool.maxPool3d(x, POOL, POOL, new Shape(0, 0, 0), false);
  }

  private void checkInput(Shape s) {
    if (s.dimension() != 5 || s.get(1) != config.inChannels()) {
      throw new IllegalArgumentException(
          "EquiUnet expects (N, " + config.inChannels() + ", D, H, W), got " + s);
    }
    for (int a = 2; a < 5; a++) {
      if (s.get(a) % 8 != 0 || s.get(a) <= 0) {
        throw new IllegalArgumentException(
            "EquiUnet needs D, H, W to be positive multiples of 8 (three 2x poolings), got " + s);
      }
    }
  }

  /** The output shapes: [main] (as in inference). */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), config.outChannels(), s.get(2), s.get(3), s.get(4))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    checkInput(inputShapes[0]);
    for (Layer layer : layers(inputShapes[0])) {
      layer.block().initialize(manager, dataType, layer.input());
    }
  }

  /**
   * One child block of the network with the shape it reads and the shape it writes for a given
   * network input: the rows of {@code brats-cv model summary}.
   *
   * @param name the child's name (enc1, attEnc1, ..., dsDec2)
   * @param block the child
   * @param input the shape it reads
   * @param output the shape it writes
   */
  public record Layer(String name, Block block, Shape input, Shape output) {
    /** Parameter count of this layer (its parameters must be initialised or shaped). */
    public long parameterCount() {
      return Parameters.count(block);
    }
  }

  /** Every child, in forward order, with its input and output shapes for {@code input}. */
  public List<Layer> layers(Shape input) {
    checkInput(input);
    List<Layer> rows = new ArrayList<>();
    LayerWalk walk = new LayerWalk(rows);
    Shape d1 = walk.attend("attEnc1", 0, walk.add("enc1", enc1, input));
    Shape d2 = walk.attend("attEnc2", 1, walk.add("enc2", enc2, half(d1)));
    Shape d3 = walk.attend("attEnc3", 2, walk.add("enc3", enc3, half(d2)));
    Shape d4 = walk.attend("attEnc4", 3, walk.add("enc4", enc4, half(d3)));
    Shape b = walk.attend("attBottom", 4, walk.add("bottom", bottom, d4));
    Shape b2 = walk.attend("attBottom2", 5, walk.add("bottom2", bottom2, concat(d4, b)));
    Shape u3 = walk.add("dec3", dec3, concat(d3, walk.add("up", up, b2)));
    Shape u2 = walk.add("dec2", dec2, concat(d2, walk.add("up", up, u3)));
    Shape u1 = walk.add("dec1", dec1, concat(d1, walk.add("up", up, u2)));
    walk.add("out", out, u1);
    if (heads.length > 0) {
      walk.add("dsBottom", heads[0], b);
      walk.add("dsBottom2", heads[1], b2);
      walk.add("dsDec3", heads[2], u3);
      walk.add("dsDec2", heads[3], u2);
    }
    return rows;
  }

  private final class LayerWalk {
    private final List<Layer> rows;

    LayerWalk(List<Layer> rows) {
      this.rows = rows;
    }

    Shape add(String name, Block block, Shape in) {
      Shape o = block.getOutputShapes(new Shape[] {in})[0];
      rows.add(new Layer(name, block, in, o));
      return o;
    }

    Shape attend(String name, int index, Shape in) {
      return attention.length == 0 ? in : add(name, attention[index], in);
    }
  }

  private static Shape half(Shape s) {
    return new Shape(s.get(0), s.get(1), s.get(2) / 2, s.get(3) / 2, s.get(4) / 2);
  }

  private static Shape concat(Shape a, Shape b) {
    return new Shape(a.get(0), a.get(1) + b.get(1), a.get(2), a.get(3), a.get(4));
  }

  /**
   * Creates the parameters on {@code manager} in float32 and draws them from {@code seed} as the
   * reference implementation does ({@link SeededInitializer}). Parameter shapes do not depend on
   * the spatial size, so a minimal 8^3 input shape is used.
   */
  public EquiUnet initialize(NDManager manager, long seed) {
    initialize(manager, DataType.FLOAT32, new Shape(1, config.inChannels(), 8, 8, 8));
    SeededInitializer.apply(this, seed);
    return this;
  }

  /**
   * Sets the biases of the output convolution and of the deep-supervision heads to {@code log(p /
   * (1 - p))}, so every output starts near probability {@code p} instead of about 0.5 (the network
   * must be initialised). Under a soft Dice loss a network that starts at 0.5 everywhere spends its
   * first steps pushing the background down; on the demo's short schedules starting at 0.05 raised
   * the merged test Dice by about 0.05 for ET and TC.
   */
  public void setOutputPrior(double p) {
    float logit = priorLogit(p);
    fillBiases(out, logit);
    for (Block head : heads) {
      fillBiases(head, logit);
    }
  }

  /** The logit an output starts at under the prior {@code p}: {@code log(p / (1 - p))}. */
  public static float priorLogit(double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("output prior must be within (0, 1), got " + p);
    }
    return (float) Math.log(p / (1 - p));
  }

  /**
   * Shifts the biases of the output convolution and of the deep-supervision heads so that each
   * output channel's mean logit over {@code logits} (this network's training-mode outputs for one
   * batch, the main output first) is {@code log(p / (1 - p))}. {@link #setOutputPrior} sets the
   * biases alone, but the logits start at the bias plus the weights' (Kaiming-drawn) sum over the
   * features, which moves each channel's start by its draw: a channel drawn far below the prior has
   * almost no gradient under a soft Dice loss and may learn nothing for a whole short schedule.
   * Returns the mean logits before the shift, per output and channel.
   */
  public float[][] fitOutputPrior(NDList logits, double p) {
    float target = priorLogit(p);
    if (logits.size() != 1 + heads.length) {
      throw new IllegalArgumentException(
          "expected the main output"
              + (heads.length == 0 ? "" : " and " + heads.length + " heads")
              + ", got "
              + logits.size()
              + " outputs");
    }
    float[][] means = new float[logits.size()][];
    for (int i = 0; i < logits.size(); i++) {
      NDArray l = logits.get(i);
      int channels = Math.toIntExact(l.getShape().get(1));
      // mean over every axis but the channel axis (the engine reduces one axis at a time)
      try (NDArray perChannel = l.swapAxes(0, 1).reshape(channels, -1);
          NDArray m = perChannel.mean(new int[] {1})) {
        means[i] = m.toFloatArray();
      }
      for (Pair<String, Parameter> e : (i == 0 ? out : heads[i - 1]).getParameters()) {
        if (e.getValue().getType() == Parameter.Type.BIAS) {
          NDArray bias = e.getValue().getArray();
          float[] v = bias.toFloatArray();
          if (v.length != channels) {
            throw new IllegalStateException(
                "output " + i + " has " + v.length + " biases for " + channels + " channels");
          }
          for (int c = 0; c < channels; c++) {
            v[c] += target - means[i][c];
          }
          bias.set(v);
        }
      }
    }
    return means;
  }

  private static void fillBiases(Block block, float value) {
    for (Pair<String, Parameter> e : block.getParameters()) {
      if (e.getValue().getType() == Parameter.Type.BIAS) {
        NDArray bias = e.getValue().getArray();
        float[] values = new float[Math.toIntExact(bias.size())];
        java.util.Arrays.fill(values, value);
        bias.set(values);
      }
    }
  }

  /** Number of trainable values in the network (all heads included). */
  public long parameterCount() {
    return Parameters.count(this);
  }

  /** Every parameter with its path name, for initialisers and checkpoints. */
  public List<Pair<String, Parameter>> namedParameters() {
    List<Pair<String, Parameter>> list = new ArrayList<>();
    getParameters().forEach(list::add);
    return list;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds an {@link EquiUnet}. Everything is optional and defaults to the paper's pipeline A
   * network: width 48, GroupNorm, no deep supervision, no attention, no dropout, 4 -> 3 channels.
   */
  public static final class Builder {
    private int width = 48;
    private Norm norm = Norm.GROUP;
    private boolean deepSupervision;
    private boolean attention;
    private float dropout;
    private int inChannels = 4;
    private int outChannels = 3;

    private Builder() {}

    public Builder optWidth(int width) {
      this.width = width;
      return this;
    }

    public Builder optNorm(Norm norm) {
      this.norm = norm;
      return this;
    }

    public Builder optDeepSupervision(boolean on) {
      this.deepSupervision = on;
      return this;
    }

    public Builder optAttention(boolean on) {
      this.attention = on;
      return this;
    }

    public Builder optDropout(float rate) {
      this.dropout = rate;
      return this;
    }

    public Builder optInChannels(int channels) {
      this.inChannels = channels;
      return this;
    }

    public Builder optOutChannels(int channels) {
      this.outChannels = channels;
      return this;
    }

    public Builder fromConfig(Config c) {
      return optWidth(c.width())
          .optNorm(c.norm())
          .optDeepSupervision(c.deepSupervision())
          .optAttention(c.attention())
          .optDropout(c.dropout())
          .optInChannels(c.inChannels())
          .optOutChannels(c.outChannels());
    }

    public Config config() {
      return new Config(width, norm, deepSupervision, attention, dropout, inChannels, outChannels);
    }

    public EquiUnet build() {
      return new EquiUnet(config());
    }
  }
}
