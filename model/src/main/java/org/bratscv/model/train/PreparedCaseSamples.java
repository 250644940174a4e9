package org.bratscv.model.train;

import java.io.IOException;
import java.util.SplittableRandom;
import org.bratscv.data.augment.Augmentation;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.preprocess.RegionTargets;
import org.bratscv.data.preprocess.TrainingPatch;
import org.bratscv.data.random.Seeds;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * The {@link SampleSource} of the method, over prepared cases from the data module: a random patch
 * of the pipeline's normalised image (random crop or split zero-pad), its ET/TC/WT targets, then
 * the pipeline's augmentation, all drawn from the case's seed for the epoch. Validation volumes are
 * the whole cropped case, unaugmented.
 *
 * <p>The loader is called for every sample; the jobs stage decides whether it caches.
 */
public final class PreparedCaseSamples implements SampleSource {

  /** Reads one prepared case (the jobs stage reads them from the output root). */
  @FunctionalInterface
  public interface CaseLoader {
    PreparedCase load(String caseId) throws IOException;
  }

  private final CaseLoader loader;
  private final Normalization normalization;
  private final LabelScheme scheme;
  private final Augmentation augmentation;
  private final Dims patch;

  /**
   * @param normalization which prepared image to train on (pipeline A or B)
   * @param augmentation the training augmentation, or null for none
   * @param patch the training patch size in NIfTI order (x, y, z) = (W, H, D)
   */
  public PreparedCaseSamples(
      CaseLoader loader,
      Normalization normalization,
      LabelScheme scheme,
      Augmentation augmentation,
      Dims patch) {
    this.loader = loader;
    this.normalization = normalization;
    this.scheme = scheme;
    this.augmentation = augmentation;
    this.patch = patch;
  }

  /** The paper's sampling for a pipeline: its normalisation, its augmentation, the given patch. */
  public static PreparedCaseSamples paper(
      CaseLoader loader, Normalization pipeline, LabelScheme scheme, TrainingConfig.PatchSize p) {
    return new PreparedCaseSamples(
        loader,
        pipeline,
        scheme,
        Augmentation.paperDefault(pipeline),
        new Dims(p.width(), p.height(), p.depth()));
  }

  @Override
  public Sample trainingSample(String caseId, int epoch, TrainingSeeds seeds) throws IOException {
    PreparedCase c = labelled(caseId);
    long seed = seeds.caseSeed(epoch, caseId);
    SplittableRandom where = Seeds.random(Seeds.child(seed, "patch"));
    TrainingPatch p =
        TrainingPatch.sample(c.image(normalization), c.labels(), scheme, patch, where);
    if (augmentation != null) {
      p = augmentation.apply(p, Seeds.random(Seeds.child(seed, "augment")));
    }
    return toSample(caseId, p.image(), p.target());
  }

  @Override
  public Sample validationVolume(String caseId) throws IOException {
    PreparedCase c = labelled(caseId);
    return toSample(caseId, c.image(normalization), RegionTargets.of(c.labels(), scheme));
  }

  private PreparedCase labelled(String caseId) throws IOException {
    PreparedCase c = loader.load(caseId);
    if (!c.hasLabels()) {
      throw new IllegalArgumentException(
          "case " + caseId + " has no labels and cannot be used for training or validation");
    }
    return c;
  }

  /** (C, nz, ny, nx) channel-first arrays: the (C, D, H, W) tensor layout of the network. */
  static Sample toSample(String caseId, MultiChannelVolume image, MultiChannelVolume target) {
    Dims d = image.dims();
    return new Sample(
        caseId,
        image.channelCount(),
        target.channelCount(),
        d.nz(),
        d.ny(),
        d.nx(),
        image.toInterleavedChannelsFirst(),
        target.toInterleavedChannelsFirst());
  }
}
