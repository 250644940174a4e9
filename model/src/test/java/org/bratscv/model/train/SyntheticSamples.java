package org.bratscv.model.train;

import java.util.Random;

/**
 * A trivially learnable data set for training tests: four Gaussian-noise channels, and region r is
 * where channel r is positive. Training patches are 8^3 and drawn from the case seed, so they
 * change every epoch; validation volumes are 6x7x9 (not a multiple of 8, to exercise padding).
 */
class SyntheticSamples implements SampleSource {

  static final int PATCH = 8;

  static Sample make(String caseId, long seed, int d, int h, int w) {
    Random rnd = new Random(seed);
    int v = d * h * w;
    float[] image = new float[4 * v];
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) rnd.nextGaussian();
    }
    float[] target = new float[3 * v];
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < v; i++) {
        target[r * v + i] = image[r * v + i] > 0 ? 1f : 0f;
      }
    }
    return new Sample(caseId, 4, 3, d, h, w, image, target);
  }

  @Override
  public Sample trainingSample(String caseId, int epoch, TrainingSeeds seeds) {
    return make(caseId, seeds.caseSeed(epoch, caseId), PATCH, PATCH, PATCH);
  }

  @Override
  public Sample validationVolume(String caseId) {
    return make(caseId, caseId.hashCode(), 6, 7, 9);
  }
}
