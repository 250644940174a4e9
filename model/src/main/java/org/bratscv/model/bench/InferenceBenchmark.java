package org.bratscv.model.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.model.infer.Ensemble;
import org.bratscv.model.infer.TestTimeAugmentation;
import org.bratscv.model.net.EquiUnet;

/**
 * Times the inference of one case as the infer and segment stages run it: an ensemble of {@code
 * members} EquiUnets, each under the 16 test-time augmentations (or none), sigmoid probabilities
 * averaged, from a four-channel volume in Java memory to the three probability maps back in Java
 * memory. {@code bench/infer_torch.py} does the same work in PyTorch eager so the two can be
 * compared on one machine.
 */
public final class InferenceBenchmark {
  private InferenceBenchmark() {}

  /**
   * What to time.
   *
   * @param config the members' network (every member has its own seeded weights)
   * @param dims the padded case's spatial size, each a multiple of 8
   * @param members networks in the ensemble
   * @param tta 16 (all augmentations) or 1 (none)
   * @param batch augmented copies per forward pass, at most, or 0 for the budget's choice (the
   *     ensemble's default {@link Ensemble#DEFAULT_BATCH_BYTES})
   * @param cases timed cases after one untimed warm-up case
   * @param device where to run
   * @param seed for the weights and the input
   */
  public record Settings(
      EquiUnet.Config config,
      Dims dims,
      int members,
      int tta,
      int batch,
      int cases,
      Device device,
      long seed) {
    public Settings {
      if (dims.nx() % 8 != 0 || dims.ny() % 8 != 0 || dims.nz() % 8 != 0) {
        throw new IllegalArgumentException("every edge must be a multiple of 8, got " + dims);
      }
      if (members < 1 || cases < 1 || batch < 0) {
        throw new IllegalArgumentException(
            "members and cases must be >= 1 and batch >= 0, got "
                + members
                + ", "
                + cases
                + ", "
                + batch);
      }
      if (tta != 1 && tta != 16) {
        throw new IllegalArgumentException("tta must be 1 or 16, got " + tta);
      }
    }
  }

  /**
   * Mean milliseconds per case, the forward passes per case (members x augmentations), the
   * augmentations per forward pass the ensemble chose, and the mean probability (a checksum to
   * compare with the PyTorch script's, which draws other weights, so only its range).
   */
  public record Result(
      double msPerCase, int predictionsPerCase, int batch, double meanProbability) {
    public double casesPerMinute() {
      return 60_000 / msPerCase;
    }
  }

  public static Result run(Settings s) {
    Dims d = s.dims();
    try (NDManager manager = NDManager.newBaseManager(s.device())) {
      Ensemble.Builder b =
          Ensemble.builder()
              .optDevice(s.device())
              .optAugmentations(
                  s.tta() == 16 ? TestTimeAugmentation.all() : TestTimeAugmentation.none());
      EquiUnet first = null;
      for (int m = 0; m < s.members(); m++) {
        EquiUnet net =
            EquiUnet.builder().fromConfig(s.config()).build().initialize(manager, s.seed() + m);
        first = first == null ? net : first;
        b.addMember("member" + m, net, "input");
      }
      Shape shape = new Shape(1, s.config().inChannels(), d.nz(), d.ny(), d.nx());
      if (s.batch() > 0) {
        b.optBatchBytes(s.batch() * Ensemble.bytesPerSample(first, shape));
      }
      Ensemble ensemble = b.build();
      int batch = ensemble.batchSize(ensemble.members().get(0), shape);
      Map<String, MultiChannelVolume> input = Map.of("input", randomCase(s));
      MultiChannelVolume probs = ensemble.predict(input);
      long t0 = System.nanoTime();
      for (int i = 0; i < s.cases(); i++) {
        probs = ensemble.predict(input);
      }
      double ms = (System.nanoTime() - t0) / 1e6 / s.cases();
      double sum = 0;
      long n = 0;
      for (int c = 0; c < probs.channelCount(); c++) {
        for (float p : probs.channel(c)) {
          sum += p;
          n++;
        }
      }
      return new Result(ms, ensemble.predictionsPerCase(), batch, sum / n);
    }
  }

  private static MultiChannelVolume randomCase(Settings s) {
    Random r = new Random(s.seed());
    float[][] ch = new float[s.config().inChannels()][s.dims().voxels()];
    for (float[] c : ch) {
      for (int i = 0; i < c.length; i++) {
        c[i] = (float) r.nextGaussian();
      }
    }
    return new MultiChannelVolume(Geometry.isotropic(s.dims()), ch);
  }
}
