package org.bratscv.model.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.model.engine.GraphScalars;
import org.bratscv.model.infer.Precision;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.HalfPrecision;
import org.bratscv.model.optim.Autograd;

/**
 * Times EquiUnet on random data: a training step (forward, soft Dice loss over the main and
 * deep-supervision outputs, backward, Adam update) and an inference forward pass (no gradients),
 * both at a given batch (default 1) on a cube of {@code size}^3 voxels; optionally the forward pass
 * alone, so that its peak memory is inference's. {@code bench/equiunet_torch.py} does the same in
 * PyTorch eager so the two can be compared on one machine.
 *
 * <p>The loss here is the paper's pipeline-A soft Dice, written locally so the benchmark does not
 * depend on the training package: per region {@code 1 - (2 sum(S R) + 1) / (sum(S^2) + sum(R^2) +
 * 1)} with {@code S = sigmoid(logits)}, averaged over the three regions, summed over outputs.
 */
public final class ModelBenchmark {
  private ModelBenchmark() {}

  /**
   * What to time.
   *
   * @param config the network
   * @param size spatial edge of the input cube, multiple of 8
   * @param steps timed repetitions of each measurement (after one untimed warm-up)
   * @param device where to run
   * @param seed for the weights and the random input and targets
   * @param precision {@link Precision#FP16} also times a float16 forward pass (weights cast by
   *     {@link HalfPrecision}, norms in float32), on any device
   * @param batch samples per step and per forward pass
   * @param train false to time (and hold the memory of) only the forward pass, as inference does
   */
  public record Settings(
      EquiUnet.Config config,
      int size,
      int steps,
      Device device,
      long seed,
      Precision precision,
      int batch,
      boolean train) {
    /** Batch 1, training step and forward pass. */
    public Settings(
        EquiUnet.Config config,
        int size,
        int steps,
        Device device,
        long seed,
        Precision precision) {
      this(config, size, steps, device, seed, precision, 1, true);
    }

    public Settings {
      if (batch <= 0) {
        throw new IllegalArgumentException("batch must be positive, got " + batch);
      }
      if (precision == null) {
        throw new IllegalArgumentException("precision must be fp32 or fp16, got null");
      }
      if (size <= 0 || size % 8 != 0) {
        throw new IllegalArgumentException("size must be a positive multiple of 8, got " + size);
      }
      if (steps <= 0) {
        throw new IllegalArgumentException("steps must be positive, got " + steps);
      }
    }
  }

  /**
   * Mean milliseconds per training step and per forward pass, and the network's size; with {@link
   * Precision#FP16} also per float16 forward pass, else NaN; {@code fp16MaxAbsDiff} is the largest
   * difference between the float16 and float32 outputs (as float32) on the same input, else NaN.
   */
  public record Result(
      double trainStepMs,
      double forwardMs,
      double forwardFp16Ms,
      double fp16MaxAbsDiff,
      long parameters) {}

  public static Result run(Settings s) {
    try (NDManager manager = NDManager.newBaseManager(s.device())) {
      EquiUnet net =
          EquiUnet.builder().fromConfig(s.config()).build().initialize(manager, s.seed());
      Shape in = new Shape(s.batch(), s.config().inChannels(), s.size(), s.size(), s.size());
      Shape out = new Shape(s.batch(), s.config().outChannels(), s.size(), s.size(), s.size());
      Engine.getEngine("PyTorch").setRandomSeed((int) s.seed());
      NDArray x = manager.randomNormal(in);
      NDArray target = manager.randomUniform(0, 1, out).gt(0.5).toType(x.getDataType(), false);
      Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-4f)).build();
      List<Parameter> params = new ArrayList<>();
      for (Pair<String, Parameter> p : net.getParameters()) {
        params.add(p.getValue());
      }
      ParameterStore store = new ParameterStore(manager, false);

      double trainMs = Double.NaN;
      if (s.train()) {
        trainStep(net, store, manager, x, target, adam, params);
        long t0 = System.nanoTime();
        for (int i = 0; i < s.steps(); i++) {
          trainStep(net, store, manager, x, target, adam, params);
        }
        trainMs = (System.nanoTime() - t0) / 1e6 / s.steps();
      }

      forward(net, store, manager, x);
      long t1 = System.nanoTime();
      for (int i = 0; i < s.steps(); i++) {
        forward(net, store, manager, x);
      }
      double forwardMs = (System.nanoTime() - t1) / 1e6 / s.steps();

      double fp16Ms = Double.NaN;
      double fp16Diff = Double.NaN;
      if (s.precision() == Precision.FP16) {
        float[] reference = forward(net, store, manager, x);
        HalfPrecision.cast(net);
        store = new ParameterStore(manager, false); // the old store holds the float32 arrays
        NDArray x16 = x.toType(DataType.FLOAT16, false);
        float[] half = forward(net, store, manager, x16);
        long t2 = System.nanoTime();
        for (int i = 0; i < s.steps(); i++) {
          forward(net, store, manager, x16);
        }
        fp16Ms = (System.nanoTime() - t2) / 1e6 / s.steps();
        fp16Diff = 0;
        for (int i = 0; i < reference.length; i++) {
          fp16Diff = Math.max(fp16Diff, Math.abs(reference[i] - half[i]));
        }
      }
      return new Result(trainMs, forwardMs, fp16Ms, fp16Diff, net.parameterCount());
    }
  }

  private static void trainStep(
      EquiUnet net,
      ParameterStore store,
      NDManager manager,
      NDArray x,
      NDArray target,
      Optimizer adam,
      List<Parameter> params) {
    try (NDManager step = manager.newSubManager()) {
      x.tempAttach(step);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDList outs = net.forward(store, new NDList(x), true);
        NDArray loss = null;
        for (NDArray o : outs) {
          NDArray l = softDice(o, target);
          loss = loss == null ? l : loss.add(l);
        }
        gc.backward(loss);
      }
      for (Parameter p : params) {
        NDArray w = p.getArray();
        NDArray grad = w.getGradient();
        grad.attach(step); // the wrapper is per call: keep it out of the model's manager
        adam.update(p.getId(), w, grad);
        grad.subi(grad); // libtorch accumulates gradients: clear for the next step
      }
      // Synchronise (and surface NaN) by reading one value.
      params.get(0).getArray().get(0).toFloatArray();
    }
  }

  /**
   * One inference pass, gradient recording paused as in {@code Ensemble}; returns the first
   * sample's output as float32 (which synchronises).
   */
  private static float[] forward(EquiUnet net, ParameterStore store, NDManager manager, NDArray x) {
    try (NDManager step = manager.newSubManager();
        Autograd paused = Autograd.paused()) {
      x.tempAttach(step);
      NDArray y = net.forward(store, new NDList(x), false).singletonOrThrow();
      return y.get(0).toType(DataType.FLOAT32, false).toFloatArray();
    }
  }

  /**
   * Floating-point operations of one inference forward pass at batch 1 on a {@code size}^3 cube,
   * counted from the convolutions' shapes (2 per multiply-add, {@code 2 Cin Cout k^3} per output
   * voxel): the 3x3x3 convolutions of the U-Blocks and the 1x1x1 output convolution. Norms, ReLU,
   * pooling, upsampling and attention (if any) are left out: together well under 1 % at width 8 and
   * above.
   */
  public static double forwardFlops(EquiUnet.Config c, int size) {
    long w = c.width();
    double v1 = Math.pow(size, 3);
    double v2 = v1 / 8;
    double v4 = v2 / 8;
    double v8 = v4 / 8;
    // {in, out, voxels} of every 3x3x3 convolution, in the order of the network
    double[][] convs = {
      {c.inChannels(), w, v1},
      {w, w, v1},
      {w, 2 * w, v2},
      {2 * w, 2 * w, v2},
      {2 * w, 4 * w, v4},
      {4 * w, 4 * w, v4},
      {4 * w, 8 * w, v8},
      {8 * w, 8 * w, v8},
      {8 * w, 8 * w, v8},
      {8 * w, 8 * w, v8},
      {16 * w, 4 * w, v8},
      {8 * w, 4 * w, v4},
      {4 * w, 2 * w, v4},
      {4 * w, 2 * w, v2},
      {2 * w, w, v2},
      {2 * w, w, v1},
      {w, w, v1},
    };
    double flops = 2.0 * w * c.outChannels() * v1;
    for (double[] k : convs) {
      flops += 2.0 * k[0] * k[1] * 27 * k[2];
    }
    return flops;
  }

  /** Pipeline A's soft Dice, batch-wise, averaged over the output channels. */
  static NDArray softDice(NDArray logits, NDArray target) {
    long c = logits.getShape().get(1);
    NDArray s = Activation.sigmoid(logits).swapAxes(0, 1).reshape(c, -1);
    NDArray r = target.swapAxes(0, 1).reshape(c, -1);
    NDArray inter = s.mul(r).sum(new int[] {1});
    NDArray denom = s.square().sum(new int[] {1}).add(r.square().sum(new int[] {1})).add(1);
    return GraphScalars.mul(inter, 2).add(1).div(denom).neg().add(1).mean();
  }
}
