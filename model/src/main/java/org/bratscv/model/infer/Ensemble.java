package org.bratscv.model.infer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.model.engine.NativeHeap;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.HalfPrecision;
import org.bratscv.model.optim.Autograd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper's self-ensemble: every member network x every test-time augmentation predicts the case,
 * and the sigmoid probabilities are averaged (5 folds x 16 TTA = 80 predictions per pipeline). The
 * average is a running sum on the device: one input per preprocessing, one float32 sum and the
 * activations of one forward pass (a batch of augmented copies within a memory budget, see {@link
 * Builder#optBatchBytes}) are alive at a time, never 80 volumes.
 *
 * <p>Members may read differently preprocessed inputs (pipeline A's percentile/min-max scaling,
 * pipeline B's z-score): each {@link Member} names the input it reads, and {@link #predict} takes
 * one input per name. Inputs are the cropped, zero-padded case (spatial sizes multiples of 8), four
 * channels; the output is three region probability maps (ET, TC, WT) on the same geometry.
 *
 * <p>The members' parameters must already be on {@code device} (load checkpoints with a manager of
 * that device). With {@link Precision#FP16} the members' weights are cast to float16 in place once,
 * when the ensemble is built ({@link HalfPrecision}: norms stay float32), inputs are cast to
 * float16 and the logits back to float32 before the sigmoid, so the running sum is float32 either
 * way. The ensemble honours the precision on any device ({@link Precision#on} is the callers' CPU
 * policy). Not thread-safe: one ensemble per task thread.
 */
public final class Ensemble {
  private static final Logger LOG = LoggerFactory.getLogger(Ensemble.class);

  /**
   * The default budget of one batch of augmented inputs ({@link Builder#optBatchBytes}): 1 GiB, by
   * the estimate of {@link #bytesPerSample}.
   */
  public static final long DEFAULT_BATCH_BYTES = 1L << 30;

  private static final int PAPER_WIDTH = 48;

  private final List<Member> members;
  private final List<TestTimeAugmentation> augmentations;
  private final Device device;
  private final DataType computeType;
  private final long batchBytes;

  /**
   * One network of the ensemble.
   *
   * @param name for logs and errors, e.g. {@code A-fold2-run1}
   * @param network an initialised block mapping (1, 4, D, H, W) to (1, 3, D, H, W) logits
   * @param input the name of the preprocessed input this network reads, e.g. {@code A} or {@code B}
   */
  public record Member(String name, Block network, String input) {
    public Member {
      if (name == null || network == null || input == null || input.isBlank()) {
        throw new IllegalArgumentException(
            "an ensemble member needs a name, a network and an input name; got "
                + name
                + ", "
                + network
                + ", "
                + input);
      }
    }
  }

  private Ensemble(Builder b) {
    if (b.members.isEmpty()) {
      throw new IllegalArgumentException("an ensemble needs at least one member");
    }
    if (b.augmentations.isEmpty()) {
      throw new IllegalArgumentException("an ensemble needs at least the identity augmentation");
    }
    this.members = List.copyOf(b.members);
    this.augmentations = List.copyOf(b.augmentations);
    this.device = b.device;
    this.batchBytes = b.batchBytes;
    this.computeType = b.precision == Precision.FP16 ? DataType.FLOAT16 : DataType.FLOAT32;
    if (computeType == DataType.FLOAT16) {
      if (!device.isGpu()) {
        LOG.info("float16 inference on {}: runs, but CPU conv3d is slower in fp16", device);
      }
      for (Member m : members) {
        HalfPrecision.cast(m.network());
      }
    }
  }

  public List<Member> members() {
    return members;
  }

  public List<TestTimeAugmentation> augmentations() {
    return augmentations;
  }

  /** Number of predictions averaged per case: members x augmentations. */
  public int predictionsPerCase() {
    return members.size() * augmentations.size();
  }

  /** The input names the members read; {@link #predict} needs one input for each. */
  public List<String> inputNames() {
    return members.stream().map(Member::input).distinct().toList();
  }

  /**
   * Averages the members' probabilities over all augmentations for one case.
   *
   * @param inputs one four-channel volume per input name, all on the same (padded) geometry
   * @return the ET, TC, WT probability maps on that geometry
   */
  public MultiChannelVolume predict(Map<String, MultiChannelVolume> inputs) {
    MultiChannelVolume first = requireInputs(inputs);
    Dims dims = first.dims();
    Shape shape = new Shape(1, first.channelCount(), dims.nz(), dims.ny(), dims.nx());
    try (NDManager manager = NDManager.newBaseManager(device)) {
      return predictOn(manager, inputs, first, shape);
    } finally {
      NativeHeap.trim(); // the case's freed activations back to the system
    }
  }

  private MultiChannelVolume predictOn(
      NDManager manager,
      Map<String, MultiChannelVolume> inputs,
      MultiChannelVolume first,
      Shape shape) {
    Dims dims = first.dims();
    Map<String, NDArray> tensors = new HashMap<>();
    for (String name : inputNames()) {
      MultiChannelVolume v = inputs.get(name);
      tensors.put(name, manager.create(v.toInterleavedChannelsFirst(), shape));
    }
    NDArray mean = predict(manager, tensors);
    long voxels = dims.voxelCount();
    int regions = (int) mean.getShape().get(1);
    float[] flat = mean.toFloatArray();
    float[][] channels = new float[regions][];
    for (int r = 0; r < regions; r++) {
      channels[r] =
          java.util.Arrays.copyOfRange(flat, (int) (r * voxels), (int) ((r + 1) * voxels));
    }
    return new MultiChannelVolume(first.geometry(), channels);
  }

  /**
   * The tensor-level form of {@link #predict(Map)}: {@code inputs} maps each input name to a (1, C,
   * D, H, W) float32 tensor on this ensemble's device; returns the (1, 3, D, H, W) float32 mean
   * probabilities, attached to {@code manager}.
   *
   * <p>Each member's augmentations run in batches ({@link #batchPlan}): the transforms that give
   * the same shape (all of them when H = W, else those with an even and those with an odd number of
   * quarter turns) are stacked along the batch axis, as many per forward pass as the batch budget
   * allows. Every op of the network is per sample (convolutions, group and instance norm, CBAM's
   * pooling over channels and space), so a batch gives the sequential passes' logits up to float
   * rounding. Gradient recording is off for the calling thread throughout: libtorch's grad mode is
   * per thread and on by default, and a recorded forward pass keeps every activation alive.
   */
  public NDArray predict(NDManager manager, Map<String, NDArray> inputs) {
    try (Autograd paused = Autograd.paused()) {
      NDArray sum = null;
      for (Member member : members) {
        NDArray x = inputs.get(member.input());
        if (x == null) {
          throw new IllegalArgumentException(
              "member " + member.name() + " reads input '" + member.input() + "', not given");
        }
        ParameterStore store = new ParameterStore(manager, false);
        for (List<TestTimeAugmentation> batch : batchPlan(member, x.getShape())) {
          sum = addBatch(manager, store, member, x, batch, sum);
        }
      }
      return sum.divi(predictionsPerCase());
    }
  }

  /**
   * One forward pass of {@code member} over the augmentations of {@code batch} (all of one shape),
   * each prediction's probabilities mapped back and added to {@code sum} in the batch's order.
   */
  private NDArray addBatch(
      NDManager manager,
      ParameterStore store,
      Member member,
      NDArray x,
      List<TestTimeAugmentation> batch,
      NDArray sum) {
    // One pass per sub-manager: the pass's activations are freed when it closes. The input is
    // lent to it (tempAttach) so the ops on it land there too, and it is handed back after.
    try (NDManager pass = manager.newSubManager()) {
      x.tempAttach(pass);
      NDList views = new NDList(batch.size());
      for (TestTimeAugmentation t : batch) {
        views.add(t.apply(x));
      }
      NDArray in = views.size() == 1 ? views.get(0) : NDArrays.concat(views, 0);
      if (computeType != in.getDataType()) {
        in = in.toType(computeType, false);
      }
      NDArray logits = member.network().forward(store, new NDList(in), false).singletonOrThrow();
      // sigmoid is per voxel, so taking it before the inverse transform gives the same numbers
      NDArray probs = Activation.sigmoid(logits.toType(DataType.FLOAT32, false));
      for (int i = 0; i < batch.size(); i++) {
        NDArray one = batch.size() == 1 ? probs : probs.get(new NDIndex("{}:{}", i, i + 1));
        NDArray back = batch.get(i).invert(one);
        if (sum == null) {
          sum = back.duplicate();
          sum.attach(manager);
        } else {
          sum.addi(back);
        }
      }
    }
    return sum;
  }

  /**
   * The forward passes of one member on an input of {@code inputShape} (1, C, D, H, W): the
   * augmentations in groups of one output shape, each group cut into batches of at most {@link
   * #batchSize} transforms, in the augmentations' order within a group. With a batch size of 1 this
   * is one pass per augmentation, in the list's order: the sequential path.
   */
  List<List<TestTimeAugmentation>> batchPlan(Member member, Shape inputShape) {
    int batch = batchSize(member, inputShape);
    boolean square = inputShape.get(3) == inputShape.get(4);
    Map<Boolean, List<TestTimeAugmentation>> groups = new LinkedHashMap<>();
    for (TestTimeAugmentation t : augmentations) {
      boolean swapsPlane = !square && t.quarterTurns() % 2 == 1;
      groups.computeIfAbsent(swapsPlane, k -> new ArrayList<>()).add(t);
    }
    List<List<TestTimeAugmentation>> plan = new ArrayList<>();
    for (List<TestTimeAugmentation> group : groups.values()) {
      for (int from = 0; from < group.size(); from += batch) {
        plan.add(List.copyOf(group.subList(from, Math.min(group.size(), from + batch))));
      }
    }
    return plan;
  }

  /**
   * How many augmented copies of an input of {@code inputShape} one forward pass of {@code member}
   * takes: as many as fit in the batch budget at {@link #bytesPerSample} each, at least 1, at most
   * the number of augmentations.
   */
  public int batchSize(Member member, Shape inputShape) {
    long perSample = bytesPerSample(member.network(), inputShape);
    long fit = batchBytes / perSample;
    return (int) Math.max(1, Math.min(augmentations.size(), fit));
  }

  /**
   * An estimate of the memory one sample of a forward pass of {@code network} holds at its peak
   * (without gradient recording), for an input of {@code inputShape} (N, C, D, H, W): float32
   * activations over the full-resolution voxels, {@code 2 C} for the input and its augmented copy,
   * {@code 10 w} for the first level's features where the decoder concatenates the skip connection
   * with the upsampled path (2w) and its convolution, norm and ReLU outputs and the lower levels
   * (together about 1/4 of that), and 6 for the logits and probabilities. {@code w} is the width of
   * an {@link EquiUnet}, else the paper's 48.
   */
  public static long bytesPerSample(Block network, Shape inputShape) {
    long voxels = inputShape.get(2) * inputShape.get(3) * inputShape.get(4);
    long channels = inputShape.get(1);
    long width = network instanceof EquiUnet u ? u.config().width() : PAPER_WIDTH;
    return Float.BYTES * voxels * (2 * channels + 10 * width + 6);
  }

  private MultiChannelVolume requireInputs(Map<String, MultiChannelVolume> inputs) {
    MultiChannelVolume first = null;
    for (String name : inputNames()) {
      MultiChannelVolume v = inputs.get(name);
      if (v == null) {
        throw new IllegalArgumentException(
            "ensemble needs input '" + name + "' (read by its members), got " + inputs.keySet());
      }
      if (first == null) {
        first = v;
      } else if (!v.dims().equals(first.dims()) || v.channelCount() != first.channelCount()) {
        throw new IllegalArgumentException(
            "input '"
                + name
                + "' is "
                + v.channelCount()
                + " x "
                + v.dims()
                + " but the first input is "
                + first.channelCount()
                + " x "
                + first.dims());
      }
    }
    Dims d = first.dims();
    if (d.nx() % 8 != 0 || d.ny() % 8 != 0 || d.nz() % 8 != 0) {
      throw new IllegalArgumentException(
          "inputs must be padded to multiples of 8 (Padding.toMultipleOf), got " + d);
    }
    return first;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds an {@link Ensemble}: at least one {@code addMember}; augmentations (all 16), device
   * (CPU) and precision (FP32) optional.
   */
  public static final class Builder {
    private final List<Member> members = new ArrayList<>();
    private List<TestTimeAugmentation> augmentations = TestTimeAugmentation.all();
    private Device device = Device.cpu();
    private Precision precision = Precision.FP32;
    private long batchBytes = DEFAULT_BATCH_BYTES;

    private Builder() {}

    public Builder addMember(Member member) {
      members.add(member);
      return this;
    }

    public Builder addMember(String name, Block network, String input) {
      return addMember(new Member(name, network, input));
    }

    public Builder optAugmentations(List<TestTimeAugmentation> augmentations) {
      this.augmentations = List.copyOf(augmentations);
      return this;
    }

    public Builder optDevice(Device device) {
      this.device = device;
      return this;
    }

    public Builder optPrecision(Precision precision) {
      this.precision = precision;
      return this;
    }

    /**
     * The memory one forward pass's batch of augmented inputs may take, by the estimate of {@link
     * Ensemble#bytesPerSample} (default {@link #DEFAULT_BATCH_BYTES}); 0, or any budget below one
     * sample, runs the augmentations one at a time. It changes the outputs only by float rounding.
     */
    public Builder optBatchBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("the TTA batch budget must be >= 0 bytes, got " + bytes);
      }
      this.batchBytes = bytes;
      return this;
    }

    public Ensemble build() {
      Map<String, Member> byName = new LinkedHashMap<>();
      for (Member m : members) {
        if (byName.put(m.name(), m) != null) {
          throw new IllegalArgumentException("two ensemble members are named " + m.name());
        }
      }
      return new Ensemble(this);
    }
  }
}
