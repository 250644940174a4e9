package org.bratscv.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bratscv.data.augment.Augmentation;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.labels.RegionLabelmap;
import org.bratscv.data.metrics.CaseMetrics;
import org.bratscv.data.metrics.Metric;
import org.bratscv.data.metrics.MetricConventions;
import org.bratscv.data.preprocess.CaseConsistencyCheck.NamedVolume;
import org.bratscv.data.preprocess.CasePreparation;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.synth.Phantom;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.TorchEngine;
import org.bratscv.model.infer.Ensemble;
import org.bratscv.model.infer.TestTimeAugmentation;
import org.bratscv.model.loss.SoftDiceLoss;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import org.bratscv.model.train.checkpoint.LocalCheckpointStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that the training loop learns: a small EquiUnet trained for a short schedule on synthetic
 * phantoms segments the whole tumor of phantoms it never saw.
 *
 * <p>Recipe (found by measurement on the 2-core build box): 48 x 48 x 32 phantoms, prepared as
 * pipeline B (crop to the brain box, z-score), {@value #TRAIN_CASES} training phantoms and {@value
 * #VALIDATION_CASES} unseen ones (the next case indices of the same generator, never trained on);
 * EquiUnet width {@value #WIDTH}, instance norm, no deep supervision; Adam lr {@value
 * #LEARNING_RATE} (eps 1e-8) with cosine annealing to 0 over {@value #EPOCHS} epochs, batch {@value
 * #BATCH} (oneDNN's kernels, as the demo), soft Dice with sums on logits, pipeline B's paper
 * augmentation (flips, noise, gamma, shift); the patch is the whole padded brain crop (the largest
 * over the training phantoms, 32 x 40 x 32 here; smaller cases are zero-padded); the last weights
 * are the result.
 *
 * <p>Measured on a 2-core AMD EPYC (family 25), mean WT Dice over the unseen phantoms, untrained
 * 0.019 / 0.031 for seeds 1 / 2: trained 0.744 / 0.811 in 62 s for both seeds with the CPU's
 * channels-last activations ({@code ChannelsLast}), 0.786 / 0.780 in 98 s in the plain layout. The
 * two layouts compute the same step to float rounding, but a short training run amplifies rounding
 * the way a new seed does, and this recipe's spread over seeds is wide: seeds 3 / 4 gave 0.597 /
 * 0.680 (channels-last) and 0.605 / 0.741 (plain) after 40 epochs. Hence the bar of {@value
 * #MIN_DICE_WT} for seeds 1 and 2, far above what an untrained or broken loop reaches. The previous
 * recipe, batch 1 for 20 epochs (200 steps of one sample against 150 of two), took 126-130 s and
 * gave 0.732 / 0.797 (plain) and 0.679 / 0.767 (channels-last) on the same machine. Before that,
 * what did not help in the budget: no augmentation (seed 2 only 0.706: it generalises worse),
 * random 24^3 patches (WT 0.55-0.65: false positives on the whole volume), width 6 (no faster per
 * step), 12 training phantoms (0.73, 0.73), 56 x 56 x 40 phantoms for 16 epochs (too few steps in
 * the budget: 0.55, 0.80).
 *
 * <p>Each seed changes both the phantoms and the initialisation; two seeds train concurrently in
 * one JVM, one libtorch thread each. The trained network is scored like the infer stage does it:
 * probabilities from an {@link Ensemble} of the one network (no test-time augmentation), the
 * labelmap at threshold 0.5, put back into the phantom's full geometry, and Dice of WT against the
 * phantom's ground truth.
 */
class LearnsPhantomsTest {
  private static final Dims PHANTOM = new Dims(48, 48, 32);
  private static final int TRAIN_CASES = 10;
  private static final int VALIDATION_CASES = 6;
  private static final int WIDTH = 8;
  private static final int EPOCHS = 30;
  private static final int BATCH = 2;
  private static final double LEARNING_RATE = 1e-2;
  private static final double MIN_DICE_WT = 0.65;
  private static final LabelScheme SCHEME = LabelScheme.BRATS2020;
  private static final List<Long> SEEDS = List.of(1L, 2L);

  @TempDir Path tmp;

  @BeforeAll
  static void engine() {
    // one intra-op thread per trainer: the two seeds run side by side on the two cores
    TorchEngine.start(EngineSettings.defaults().withThreads(1, 1));
  }

  /** What one seed's run measured. */
  record Outcome(long seed, double untrainedWt, double trainedWt, List<EpochLog> history) {}

  @Test
  void shortTrainingSegmentsTheWholeTumorOfUnseenPhantomsForTwoSeeds() throws Exception {
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(SEEDS.size());
    List<Outcome> outcomes = new ArrayList<>();
    try {
      List<Future<Outcome>> runs = new ArrayList<>();
      for (long seed : SEEDS) {
        runs.add(pool.submit(() -> run(seed, tmp.resolve("seed-" + seed))));
      }
      for (Future<Outcome> f : runs) {
        outcomes.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (Outcome o : outcomes) {
      System.out.printf(
          "seed %d: WT Dice untrained %.3f, trained %.3f (%.0f s for both seeds)%n",
          o.seed(), o.untrainedWt(), o.trainedWt(), seconds);
      for (EpochLog e : o.history()) {
        if (!e.validated()) {
          continue;
        }
        System.out.printf(
            "  seed %d epoch %2d loss %.3f val %.3f WT %.3f TC %.3f ET %.3f lr %.4f %.1fs%n",
            o.seed(),
            e.epoch(),
            e.trainLoss(),
            e.validationLoss(),
            e.diceWt(),
            e.diceTc(),
            e.diceEt(),
            e.learningRate(),
            e.seconds());
      }
    }
    for (Outcome o : outcomes) {
      assertEquals(EPOCHS, o.history().size());
      assertTrue(
          o.trainedWt() >= MIN_DICE_WT,
          "seed " + o.seed() + ": mean WT Dice on unseen phantoms " + o.trainedWt());
      assertTrue(
          o.trainedWt() >= o.untrainedWt() + 0.4,
          "seed "
              + o.seed()
              + ": trained WT Dice "
              + o.trainedWt()
              + " does not beat the untrained network's "
              + o.untrainedWt()
              + " by 0.4");
    }
  }

  private static Outcome run(long seed, Path store) throws Exception {
    PhantomGenerator generator = new PhantomGenerator(PHANTOM, seed);
    Map<String, PreparedCase> prepared = new HashMap<>();
    Map<String, Phantom> phantoms = new HashMap<>();
    List<String> train = new ArrayList<>();
    List<String> unseen = new ArrayList<>();
    for (int i = 1; i <= TRAIN_CASES + VALIDATION_CASES; i++) {
      String id = PhantomGenerator.caseId("Training", i);
      Phantom p = generator.generate(id, i);
      phantoms.put(id, p);
      prepared.put(id, prepare(p));
      (i <= TRAIN_CASES ? train : unseen).add(id);
    }
    // the whole padded brain crop: the largest over the training cases, the others zero-padded
    int nx = 0;
    int ny = 0;
    int nz = 0;
    for (String id : train) {
      Dims d = prepared.get(id).crop().networkDims();
      nx = Math.max(nx, d.nx());
      ny = Math.max(ny, d.ny());
      nz = Math.max(nz, d.nz());
    }
    TrainingConfig config =
        new TrainingConfig(
            EPOCHS,
            BATCH,
            new TrainingConfig.PatchSize(nz, ny, nx),
            4,
            3,
            SoftDiceLoss.Denominator.SUMS,
            SoftDiceLoss.Input.LOGITS,
            OptimizerConfig.adam(LEARNING_RATE, 1e-8),
            ScheduleConfig.cosine(EPOCHS, 0),
            null,
            5,
            TrainingConfig.FinalWeights.LAST,
            seed,
            TrainingConfig.Precision.FP32,
            8,
            1);
    SampleSource samples =
        new PreparedCaseSamples(
            prepared::get,
            Normalization.B,
            SCHEME,
            Augmentation.paperDefault(Normalization.B),
            new Dims(nx, ny, nz));
    try (NDManager manager = NDManager.newBaseManager()) {
      EquiUnet net =
          EquiUnet.builder()
              .optWidth(WIDTH)
              .optNorm(Norm.INSTANCE)
              .optDeepSupervision(false)
              .build();
      int fold = 0;
      net.initialize(manager, new TrainingSeeds(seed, fold).initSeed());
      double untrained = meanDiceWt(net, unseen, prepared, phantoms);
      FoldTrainer trainer =
          new FoldTrainer(
              config,
              fold,
              net,
              manager,
              samples,
              new LocalCheckpointStore(store),
              new TrainingListener() {});
      TrainingResult result = trainer.train(train, unseen);
      double trained = meanDiceWt(net, unseen, prepared, phantoms);
      return new Outcome(seed, untrained, trained, result.history());
    }
  }

  private static PreparedCase prepare(Phantom p) {
    List<NamedVolume> modalities = new ArrayList<>();
    String[] names = {"t1", "t1ce", "t2", "flair"};
    for (int c = 0; c < 4; c++) {
      modalities.add(new NamedVolume(names[c], p.modalities().volume(c)));
    }
    return CasePreparation.PAPER.prepare(
        p.caseId(), modalities, "seg", p.seg(), SCHEME, EnumSet.of(Normalization.B));
  }

  /** Mean Dice of WT over {@code cases}, scored in each phantom's full geometry. */
  private static double meanDiceWt(
      EquiUnet net,
      List<String> cases,
      Map<String, PreparedCase> prepared,
      Map<String, Phantom> phantoms) {
    Ensemble ensemble =
        Ensemble.builder()
            .addMember("net", net, "B")
            .optAugmentations(TestTimeAugmentation.none())
            .build();
    double sum = 0;
    for (String id : cases) {
      PreparedCase c = prepared.get(id);
      MultiChannelVolume input = c.crop().padCropped(c.image(Normalization.B));
      MultiChannelVolume probabilities = ensemble.predict(Map.of("B", input));
      LabelVolume labels =
          c.crop().restore(RegionLabelmap.fromProbabilities(probabilities, SCHEME));
      CaseMetrics m =
          CaseMetrics.compute(
              labels, phantoms.get(id).seg(), SCHEME, MetricConventions.forScheme(SCHEME));
      sum += m.get(Region.WT, Metric.DICE);
    }
    return sum / cases.size();
  }
}
