package org.bratscv.model.infer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
import org.bratscv.model.net.HalfPrecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper's self-ensemble: every member network x every test-time augmentation predicts the case,
 * and the sigmoid probabilities are averaged (5 folds x 16 TTA = 80 predictions per pipeline). The
 * average is a running sum on the device: one input per preprocessing, one float32 sum and the
 * activations of one forward pass are alive at a time, never 80 volumes.
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

  private final List<Member> members;
  private final List<TestTimeAugmentation> augmentations;
  private final Device device;
  private final DataType computeType;

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
   */
  public NDArray predict(NDManager manager, Map<String, NDArray> inputs) {
    NDArray sum = null;
    for (Member member : members) {
      NDArray x = inputs.get(member.input());
      if (x == null) {
        throw new IllegalArgumentException(
            "member " + member.name() + " reads input '" + member.input() + "', not given");
      }
      ParameterStore store = new ParameterStore(manager, false);
      for (TestTimeAugmentation t : augmentations) {
        // One pass per sub-manager: the pass's activations are freed when it closes. The input
        // is lent to it (tempAttach) so the ops on it land there too, and it is handed back after.
        try (NDManager pass = manager.newSubManager()) {
          x.tempAttach(pass);
          NDArray in = t.apply(x);
          if (computeType != in.getDataType()) {
            in = in.toType(computeType, false);
          }
          NDArray logits =
              member.network().forward(store, new NDList(in), false).singletonOrThrow();
          NDArray probs = Activation.sigmoid(t.invert(logits).toType(DataType.FLOAT32, false));
          if (sum == null) {
            sum = probs.duplicate();
            sum.attach(manager);
          } else {
            sum.addi(probs);
          }
        }
      }
    }
    return sum.divi(predictionsPerCase());
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
