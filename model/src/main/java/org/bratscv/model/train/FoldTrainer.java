package org.bratscv.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bratscv.data.labels.Region;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Padding;
import org.bratscv.model.engine.NativeHeap;
import org.bratscv.model.loss.DeepSupervisionLoss;
import org.bratscv.model.loss.SoftDiceLoss;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.optim.Autograd;
import org.bratscv.model.optim.ParameterState;
import org.bratscv.model.optim.StatefulOptimizer;
import org.bratscv.model.train.checkpoint.CheckpointManifest;
import org.bratscv.model.train.checkpoint.CheckpointStore;
import org.bratscv.model.train.checkpoint.Checkpoints;
import org.bratscv.model.train.checkpoint.CorruptCheckpointException;
import org.bratscv.model.train.checkpoint.ModelWeights;
import org.bratscv.model.train.checkpoint.TensorBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one fold of one pipeline variant: the epoch loop with deep-supervision loss, validation
 * every k epochs, the learning-rate schedule, fast SWA (A) or best-by-validation weights (B), and a
 * checkpoint after every epoch from which a rerun resumes exactly.
 *
 * <p>The block must return, in training mode, the main output followed by the auxiliary ones (all
 * at full size); in inference mode its first output is the main output. Outputs are probabilities
 * or logits as {@link TrainingConfig#networkOutput()} says (EquiUnet: logits). The caller owns
 * {@code manager} (on the device to train on) and the block: an uninitialized block is initialized
 * here from the fold's seed. Every step runs in a sub-manager of {@code manager}.
 *
 * <p>Checkpoint folders in the store: {@code epoch-NNNNNN} (the newest few), {@code best} (B) and
 * {@code final} (the result). One trainer trains one fold once; it is not thread-safe, but trainers
 * in different threads of one JVM may run at the same time.
 */
public final class FoldTrainer {

  public static final String FINAL = "final";
  public static final String BEST = "best";
  public static final String EPOCH_PREFIX = "epoch-";
  private static final String WEIGHTS = Checkpoints.WEIGHTS;
  private static final String OPTIMIZER = Checkpoints.OPTIMIZER;
  private static final String SWA = Checkpoints.SWA;

  private static final Logger LOG = LoggerFactory.getLogger(FoldTrainer.class);

  // libtorch's generator is process-wide: seeding and drawing the initial weights must not
  // interleave with another trainer's initialisation in the same JVM
  private static final Object INIT_LOCK = new Object();

  // samples read and augmented ahead of the step that trains on them (SamplePrefetcher): enough to
  // hide loading behind a step, few enough that a 128^3 patch queue stays near 100 MB
  static final int PREFETCH_AHEAD = 2;

  private final TrainingConfig config;
  private final int fold;
  private final Block block;
  private final NDManager manager;
  private final SampleSource data;
  private final Checkpoints checkpoints;
  private final TrainingListener listener;
  private final TrainingSeeds seeds;
  private final DeepSupervisionLoss loss;
  private final String fingerprint;
  private boolean priorToFit;

  private ParameterStore parameterStore;
  private boolean started;
  private StatefulOptimizer optimizer;
  private final WeightAverage swaAverage = new WeightAverage();
  private double bestLoss = Double.NaN;
  private int bestEpoch = -1;
  private final List<EpochLog> history = new ArrayList<>();

  public FoldTrainer(
      TrainingConfig config,
      int fold,
      Block block,
      NDManager manager,
      SampleSource data,
      CheckpointStore store,
      TrainingListener listener) {
    this.config = config;
    this.fold = fold;
    this.block = block;
    this.manager = manager;
    this.data = data;
    this.checkpoints = new Checkpoints(store);
    this.listener = listener == null ? TrainingListener.NONE : listener;
    this.seeds = new TrainingSeeds(config.seed(), fold);
    this.loss =
        new DeepSupervisionLoss(
            new SoftDiceLoss(
                config.dice(),
                config.networkOutput(),
                SoftDiceLoss.DEFAULT_SMOOTH,
                config.diceReduction()));
    this.fingerprint = config.fingerprint(fold);
  }

  public TrainingSeeds seeds() {
    return seeds;
  }

  /** Name of the checkpoint folder written after {@code epoch}. */
  public static String epochDir(int epoch) {
    return String.format(java.util.Locale.ROOT, "%s%06d", EPOCH_PREFIX, epoch);
  }

  /**
   * Runs (or resumes) the fold to its end and leaves the final weights in the block. Cases are
   * visited in a seeded order each epoch; validation uses {@code validationCases} (may be empty:
   * then nothing is validated and BEST_VALIDATION falls back to the last weights).
   */
  public TrainingResult train(List<String> trainCases, List<String> validationCases)
      throws IOException {
    if (started) {
      throw new IllegalStateException("a FoldTrainer trains once; make a new one to train again");
    }
    started = true;
    if (trainCases.size() < config.batchSize()) {
      throw new IllegalArgumentException(
          "fold "
              + fold
              + ": "
              + trainCases.size()
              + " training cases cannot fill one batch of "
              + config.batchSize());
    }
    initializeBlock();
    if (config.hasOutputPrior()) {
      // before any resume: a checkpoint's weights replace these
      if (!(block instanceof EquiUnet net)) {
        throw new IllegalArgumentException(
            "output prior " + config.outputPrior() + " needs an EquiUnet, got " + block);
      }
      net.setOutputPrior(config.outputPrior());
    }
    ParameterList params = block.getParameters();
    parameterStore = new ParameterStore(manager, false);
    int resumedAfter = -1;
    long snapshots;
    List<String> done = checkpoints.list(EPOCH_PREFIX);
    if (!done.isEmpty()) {
      String latest = done.get(done.size() - 1);
      try {
        resumedAfter = resume(latest, params);
      } catch (CorruptCheckpointException e) {
        String hint =
            done.size() > 1
                ? "; delete that folder to resume from " + done.get(done.size() - 2)
                : "; delete that folder to train this fold from the start";
        throw new CorruptCheckpointException(e.getMessage() + hint, e);
      }
      listener.onResume(resumedAfter, List.copyOf(history));
    }
    // a resumed run has its trained biases from the checkpoint
    priorToFit = config.outputPriorFit() == TrainingConfig.PriorFit.FIRST_BATCH && resumedAfter < 0;
    try {
      for (int epoch = resumedAfter + 1; epoch < config.totalEpochs(); epoch++) {
        // no trim between epochs: every epoch needs the same activations again, and glibc's
        // malloc_trim hands back every free page, which the next step faults in anew (a w6 demo
        // fold re-faulted ~300 MB per epoch)
        runEpoch(epoch, trainCases, validationCases, params);
      }
      finish(params);
      snapshots = swaAverage.count();
    } finally {
      if (optimizer != null) {
        optimizer.close();
        optimizer = null;
      }
      swaAverage.close();
      NativeHeap.trim(); // the fold's freed activations back to the system, once
    }
    return new TrainingResult(
        history, config.finalWeights(), bestEpoch, bestLoss, snapshots, resumedAfter);
  }

  private void initializeBlock() {
    if (block.isInitialized()) {
      return;
    }
    TrainingConfig.PatchSize p = config.patch();
    synchronized (INIT_LOCK) {
      manager.getEngine().setRandomSeed((int) seeds.initSeed());
      block.initialize(
          manager,
          DataType.FLOAT32,
          new Shape(1, config.inputChannels(), p.depth(), p.height(), p.width()));
    }
  }

  private boolean inSwa(int epoch) {
    return epoch >= config.epochs();
  }

  /** The optimizer for {@code epoch} with its rate set: fresh at the start of each SWA cycle. */
  private StatefulOptimizer optimizerFor(int epoch, ParameterList params) {
    if (!inSwa(epoch)) {
      if (optimizer == null) {
        optimizer = config.optimizer().create();
      }
      optimizer.setLearningRate(
          config.schedule().create(config.optimizer().learningRate()).learningRate(epoch));
      return optimizer;
    }
    SwaConfig swa = config.swa();
    int swaEpoch = epoch - config.epochs();
    if (swaEpoch == 0 && config.swa().includeStartWeights()) {
      swaAverage.add(params);
    }
    if (optimizer == null || swaEpoch % swa.cycleEpochs() == 0) {
      if (optimizer != null) {
        optimizer.close();
      }
      optimizer = swa.optimizer().create();
    }
    optimizer.setLearningRate(swa.schedule().learningRate(swaEpoch));
    return optimizer;
  }

  private void runEpoch(
      int epoch, List<String> trainCases, List<String> validationCases, ParameterList params)
      throws IOException {
    long t0 = System.nanoTime();
    StatefulOptimizer opt = optimizerFor(epoch, params);
    double lr = opt.learningRate();
    List<String> order = seeds.caseOrder(epoch, trainCases);
    int steps = order.size() / config.batchSize();
    double sum = 0;
    try (SamplePrefetcher next =
        new SamplePrefetcher(
            data, order.subList(0, steps * config.batchSize()), epoch, seeds, PREFETCH_AHEAD)) {
      for (int s = 0; s < steps; s++) {
        List<Sample> batch = new ArrayList<>(config.batchSize());
        for (int b = 0; b < config.batchSize(); b++) {
          batch.add(next.next());
        }
        double l = trainStep(epoch, batch, params, opt);
        sum += l;
        listener.onStep(epoch, s, steps, l);
      }
    }
    double trainLoss = sum / steps;
    if (inSwa(epoch) && config.swa().snapshotAfter(epoch - config.epochs())) {
      swaAverage.add(params);
    }
    double[] val = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    if (config.validatesAfter(epoch) && !validationCases.isEmpty()) {
      val = validate(validationCases);
      if (bestEpoch < 0 || val[0] < bestLoss) {
        bestLoss = val[0];
        bestEpoch = epoch;
        if (config.finalWeights() == TrainingConfig.FinalWeights.BEST_VALIDATION) {
          writeWeights(BEST, "best", epoch, params);
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    EpochLog log =
        new EpochLog(
            epoch,
            inSwa(epoch) ? "swa" : "main",
            trainLoss,
            val[0],
            val[1],
            val[2],
            val[3],
            lr,
            seconds);
    history.add(log);
    String dir = writeCheckpoint(epoch, params);
    // reported once durable: a task killed before this point redoes the epoch, never logs it twice
    listener.onCheckpoint(dir);
    listener.onEpoch(log);
  }

  private double trainStep(
      int epoch, List<Sample> batch, ParameterList params, StatefulOptimizer opt) {
    TrainingConfig.PatchSize p = config.patch();
    int c = config.inputChannels();
    int r = config.regions();
    int voxels = p.depth() * p.height() * p.width();
    float[] images = new float[batch.size() * c * voxels];
    float[] targets = new float[batch.size() * r * voxels];
    for (int b = 0; b < batch.size(); b++) {
      Sample s = batch.get(b);
      if (s.channels() != c
          || s.regions() != r
          || s.depth() != p.depth()
          || s.height() != p.height()
          || s.width() != p.width()) {
        throw new IllegalArgumentException(
            "case "
                + s.caseId()
                + ": training sample is "
                + s.channels()
                + "x"
                + s.depth()
                + "x"
                + s.height()
                + "x"
                + s.width()
                + " with "
                + s.regions()
                + " regions, expected "
                + c
                + "x"
                + p.depth()
                + "x"
                + p.height()
                + "x"
                + p.width()
                + " with "
                + r);
      }
      System.arraycopy(s.image(), 0, images, b * c * voxels, c * voxels);
      System.arraycopy(s.target(), 0, targets, b * r * voxels, r * voxels);
    }
    try (NDManager step = manager.newSubManager()) {
      NDArray x = step.create(images, new Shape(batch.size(), c, p.depth(), p.height(), p.width()));
      NDArray y =
          step.create(targets, new Shape(batch.size(), r, p.depth(), p.height(), p.width()));
      if (priorToFit) {
        fitOutputPrior(x);
        priorToFit = false;
      }
      double value;
      try (Autograd recording = Autograd.recording()) {
        NDList out = block.forward(parameterStore, new NDList(x), true);
        NDArray total = loss.loss(out, y);
        value = total.getFloat();
        if (!Double.isFinite(value)) {
          throw new IllegalStateException(
              "fold "
                  + fold
                  + " epoch "
                  + epoch
                  + ": loss is "
                  + value
                  + " on cases "
                  + batch.stream().map(Sample::caseId).toList()
                  + " (NaN from the engine? see NOTES.md: ONEDNN_MAX_CPU_ISA=AVX2)");
        }
        Autograd.backward(total);
      }
      for (Pair<String, Parameter> e : params) {
        Parameter param = e.getValue();
        if (!param.requiresGradient()) {
          continue;
        }
        NDArray w = param.getArray();
        try (NDArray g = w.getGradient()) {
          opt.update(e.getKey(), w, g);
        }
        Autograd.zeroGradient(w);
      }
      return value;
    }
  }

  /**
   * Shifts the output biases so that each output channel's mean logit over the first batch {@code
   * x} is the prior's (TrainingConfig.PriorFit.FIRST_BATCH), before that batch's step.
   */
  private void fitOutputPrior(NDArray x) {
    EquiUnet net = (EquiUnet) block; // checked with the prior in train()
    float[][] before;
    try (Autograd paused = Autograd.paused();
        NDManager sub = manager.newSubManager()) {
      NDList out = block.forward(parameterStore, new NDList(x), true);
      out.attach(sub);
      before = net.fitOutputPrior(out, config.outputPrior());
    }
    Region[] regions = Region.values();
    StringBuilder means = new StringBuilder();
    for (int c = 0; c < before[0].length; c++) {
      String name = before[0].length == regions.length ? regions[c].name() : "channel " + c;
      means.append(String.format(Locale.ROOT, "%s%s %.2f", c == 0 ? "" : ", ", name, before[0][c]));
    }
    float logit = EquiUnet.priorLogit(config.outputPrior());
    LOG.info(
        "fold {}: output biases fitted to the prior {} (logit {}) on the first batch; the mean"
            + " logits were {}",
        fold,
        config.outputPrior(),
        String.format(Locale.ROOT, "%.2f", logit),
        means);
  }

  /** Mean validation loss and mean Dice ET, TC, WT over the held-out cases. */
  private double[] validate(List<String> cases) throws IOException {
    double[] sums = new double[4];
    for (String id : cases) {
      double[] one = validateCase(data.validationVolume(id));
      for (int i = 0; i < 4; i++) {
        sums[i] += one[i];
      }
    }
    for (int i = 0; i < 4; i++) {
      sums[i] /= cases.size();
    }
    return sums;
  }

  private double[] validateCase(Sample s) {
    if (s.channels() != config.inputChannels() || s.regions() != config.regions()) {
      throw new IllegalArgumentException(
          "case "
              + s.caseId()
              + ": validation volume has "
              + s.channels()
              + " channels and "
              + s.regions()
              + " regions, expected "
              + config.inputChannels()
              + " and "
              + config.regions());
    }
    Dims dims = new Dims(s.width(), s.height(), s.depth());
    Padding pad = Padding.toMultipleOf(dims, config.sizeDivisor());
    Dims padded = pad.padded(dims);
    int v = dims.voxels();
    int pv = padded.voxels();
    float[] image = new float[s.channels() * pv];
    for (int ch = 0; ch < s.channels(); ch++) {
      float[] channel = Arrays.copyOfRange(s.image(), ch * v, (ch + 1) * v);
      System.arraycopy(pad.apply(channel, dims), 0, image, ch * pv, pv);
    }
    int r = s.regions();
    try (NDManager sub = manager.newSubManager();
        Autograd paused = Autograd.paused()) {
      NDArray x =
          sub.create(image, new Shape(1, s.channels(), padded.nz(), padded.ny(), padded.nx()));
      NDList out = block.forward(parameterStore, new NDList(x), false);
      float[] paddedProbs = loss.term().probabilities(out.head()).toFloatArray();
      if (paddedProbs.length != r * pv) {
        throw new IllegalStateException(
            "the network returned "
                + out.head().getShape()
                + " for input "
                + x.getShape()
                + ", expected "
                + r
                + " channels of the same size");
      }
      float[] probs = new float[r * v];
      for (int ch = 0; ch < r; ch++) {
        float[] channel = Arrays.copyOfRange(paddedProbs, ch * pv, (ch + 1) * pv);
        System.arraycopy(pad.undo(channel, dims), 0, probs, ch * v, v);
      }
      Shape shape = new Shape(1, r, s.depth(), s.height(), s.width());
      // the probabilities are computed already: score them as such
      double caseLoss =
          new SoftDiceLoss(config.dice(), SoftDiceLoss.Input.PROBABILITIES, loss.term().smooth())
              .loss(sub.create(probs, shape), sub.create(s.target(), shape))
              .getFloat();
      double[] result = new double[4];
      result[0] = caseLoss;
      for (int ch = 0; ch < Math.min(3, r); ch++) {
        result[1 + ch] = RegionDice.of(probs, s.target(), ch, v);
      }
      return result;
    }
  }

  private String writeCheckpoint(int epoch, ParameterList params) throws IOException {
    String dir = epochDir(epoch);
    Map<String, CheckpointStore.Payload> payloads = new LinkedHashMap<>();
    payloads.put(WEIGHTS, out -> ModelWeights.write(params, out));
    payloads.put(OPTIMIZER, this::writeOptimizer);
    if (swaAverage.count() > 0) {
      payloads.put(SWA, this::writeAverage);
    }
    Map<String, Long> steps = new LinkedHashMap<>();
    for (Map.Entry<String, ParameterState> e : optimizer.states().entrySet()) {
      steps.put(e.getKey(), e.getValue().step());
    }
    CheckpointManifest manifest =
        new CheckpointManifest(
            CheckpointManifest.FORMAT,
            "epoch",
            epoch,
            fingerprint,
            bestEpoch < 0 ? null : bestLoss,
            bestEpoch,
            optimizer.kind(),
            steps,
            swaAverage.count(),
            history,
            Map.of());
    checkpoints.write(dir, payloads, manifest);
    prune(dir);
    return dir;
  }

  /** Deletes every epoch folder (complete or left over from a crash) but the newest few. */
  private void prune(String newest) throws IOException {
    List<String> complete = checkpoints.list(EPOCH_PREFIX);
    List<String> keep =
        complete.subList(Math.max(0, complete.size() - config.keepCheckpoints()), complete.size());
    java.util.Set<String> dirs = new java.util.TreeSet<>();
    for (String name : checkpoints.store().list(EPOCH_PREFIX)) {
      int slash = name.indexOf('/');
      dirs.add(slash < 0 ? name : name.substring(0, slash));
    }
    for (String dir : dirs) {
      if (!keep.contains(dir) && !dir.equals(newest)) {
        checkpoints.delete(dir);
      }
    }
  }

  private void writeOptimizer(java.io.OutputStream out) throws IOException {
    try (TensorBundle.Writer w = new TensorBundle.Writer(out)) {
      for (Map.Entry<String, ParameterState> e : optimizer.states().entrySet()) {
        for (Map.Entry<String, NDArray> b : e.getValue().buffers().entrySet()) {
          NDArray a = b.getValue();
          w.write(e.getKey() + "/" + b.getKey(), a.getShape().getShape(), a.toFloatArray());
        }
      }
    }
  }

  private void writeAverage(java.io.OutputStream out) throws IOException {
    try (TensorBundle.Writer w = new TensorBundle.Writer(out)) {
      for (Map.Entry<String, NDArray> e : swaAverage.means().entrySet()) {
        NDArray a = e.getValue();
        w.write(e.getKey(), a.getShape().getShape(), a.toFloatArray());
      }
    }
  }

  private void writeWeights(String dir, String kind, int epoch, ParameterList params)
      throws IOException {
    CheckpointManifest manifest =
        new CheckpointManifest(
            CheckpointManifest.FORMAT,
            kind,
            epoch,
            fingerprint,
            bestEpoch < 0 ? null : bestLoss,
            bestEpoch,
            null,
            Map.of(),
            swaAverage.count(),
            List.of(),
            Map.of());
    Map<String, CheckpointStore.Payload> payloads = new LinkedHashMap<>();
    payloads.put(WEIGHTS, out -> ModelWeights.write(params, out));
    checkpoints.write(dir, payloads, manifest);
  }

  /** Restores the state saved after an epoch; returns that epoch. */
  private int resume(String dir, ParameterList params) throws IOException {
    CheckpointManifest m = checkpoints.readVerified(dir);
    String where = checkpoints.store().describe() + "/" + dir;
    if (!fingerprint.equals(m.configFingerprint())) {
      throw new IllegalStateException(
          where
              + " was written by another configuration or fold (fingerprint "
              + m.configFingerprint()
              + ", this run "
              + fingerprint
              + "): point this run at its own checkpoint folder");
    }
    try (InputStream in = checkpoints.open(dir, WEIGHTS)) {
      ModelWeights.read(in, params, where + "/" + WEIGHTS);
    }
    OptimizerConfig kind = inSwa(m.epoch()) ? config.swa().optimizer() : config.optimizer();
    optimizer = kind.create();
    if (!optimizer.kind().equals(m.optimizer())) {
      throw new IllegalStateException(
          where
              + " holds "
              + m.optimizer()
              + " state but epoch "
              + m.epoch()
              + " of this configuration uses "
              + optimizer.kind());
    }
    Map<String, Map<String, float[]>> buffers = new LinkedHashMap<>();
    try (InputStream in = checkpoints.open(dir, OPTIMIZER)) {
      TensorBundle.Reader r = new TensorBundle.Reader(in, where + "/" + OPTIMIZER);
      for (TensorBundle.Tensor t = r.next(); t != null; t = r.next()) {
        int slash = t.name().lastIndexOf('/');
        buffers
            .computeIfAbsent(t.name().substring(0, slash), k -> new LinkedHashMap<>())
            .put(t.name().substring(slash + 1), t.data());
      }
    }
    for (Map.Entry<String, Map<String, float[]>> e : buffers.entrySet()) {
      Parameter p = params.get(e.getKey());
      Long step = m.optimizerSteps().get(e.getKey());
      if (p == null || step == null) {
        throw new IllegalStateException(
            where + ": optimizer state for unknown parameter " + e.getKey());
      }
      optimizer.restore(e.getKey(), p.getArray(), step, e.getValue());
    }
    if (m.swaCount() > 0) {
      Map<String, float[]> means = new LinkedHashMap<>();
      try (InputStream in = checkpoints.open(dir, SWA)) {
        TensorBundle.Reader r = new TensorBundle.Reader(in, where + "/" + SWA);
        for (TensorBundle.Tensor t = r.next(); t != null; t = r.next()) {
          means.put(t.name(), t.data());
        }
      }
      swaAverage.restore(m.swaCount(), means, params);
    }
    bestEpoch = m.bestEpoch();
    bestLoss = m.bestValidationLoss() == null ? Double.NaN : m.bestValidationLoss();
    history.clear();
    history.addAll(m.history());
    return m.epoch();
  }

  private void finish(ParameterList params) throws IOException {
    switch (config.finalWeights()) {
      case SWA_AVERAGE -> swaAverage.copyTo(params);
      case BEST_VALIDATION -> {
        if (bestEpoch >= 0) {
          CheckpointManifest m = checkpoints.loadWeights(BEST, params);
          if (m.epoch() != bestEpoch) {
            throw new IllegalStateException(
                checkpoints.store().describe()
                    + "/"
                    + BEST
                    + " holds epoch "
                    + m.epoch()
                    + " but the best validation loss was at epoch "
                    + bestEpoch);
          }
        }
      }
      case LAST -> {}
    }
    writeWeights(FINAL, "final", config.totalEpochs() - 1, params);
  }
}
