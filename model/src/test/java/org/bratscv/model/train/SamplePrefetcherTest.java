package org.bratscv.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bratscv.data.augment.Augmentation;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.BrainCrop;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class SamplePrefetcherTest {

  private static final Dims DIMS = new Dims(12, 11, 10);
  private static final TrainingSeeds SEEDS = new TrainingSeeds(42, 3);
  private static final List<String> CASES =
      List.of("case-a", "case-b", "case-c", "case-d", "case-e", "case-f");

  /** A case whose voxels depend on its id, so samples of different cases differ. */
  private static PreparedCase preparedCase(String id) {
    Geometry g = Geometry.isotropic(DIMS);
    int n = DIMS.voxels();
    float[][] channels = new float[4][n];
    byte[] labels = new byte[n];
    int[] cycle = {0, 1, 2, 4};
    int salt = Math.floorMod(id.hashCode(), 97);
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 4; c++) {
        channels[c][i] = (i * (c + 1) + salt) % 13 - 6f;
      }
      labels[i] = (byte) cycle[(i + salt) % 4];
    }
    BrainCrop crop = BrainCrop.of(g, new BoundingBox(0, 0, 0, 12, 11, 10), 8);
    return new PreparedCase(
        id,
        crop,
        Map.of(Normalization.A, new MultiChannelVolume(g, channels)),
        new LabelVolume(g, labels));
  }

  private static PreparedCaseSamples paperSamples(PreparedCaseSamples.CaseLoader loader) {
    return new PreparedCaseSamples(
        loader,
        Normalization.A,
        LabelScheme.BRATS2020,
        Augmentation.paperDefault(Normalization.A),
        new Dims(8, 8, 8));
  }

  @Test
  void prefetchedSamplesAreTheSequentialSamplesInTheSameOrder() throws IOException {
    PreparedCaseSamples source = paperSamples(SamplePrefetcherTest::preparedCase);
    for (int epoch = 0; epoch < 3; epoch++) {
      List<String> order = SEEDS.caseOrder(epoch, CASES);
      List<Sample> sequential = new ArrayList<>();
      for (String id : order) {
        sequential.add(source.trainingSample(id, epoch, SEEDS));
      }
      try (SamplePrefetcher prefetcher = new SamplePrefetcher(source, order, epoch, SEEDS, 2)) {
        for (Sample expected : sequential) {
          Sample got = prefetcher.next();
          assertEquals(expected.caseId(), got.caseId());
          assertArrayEquals(expected.image(), got.image());
          assertArrayEquals(expected.target(), got.target());
        }
      }
    }
    // the augmentation really differs between epochs, so equality above is not vacuous
    assertFalse(
        java.util.Arrays.equals(
            source.trainingSample("case-a", 0, SEEDS).image(),
            source.trainingSample("case-a", 1, SEEDS).image()));
  }

  @Test
  void aCaseThatFailsToLoadSurfacesInItsPlaceWithItsNameAndTheThreadStops() throws Exception {
    List<String> loaded = new CopyOnWriteArrayList<>();
    PreparedCaseSamples source =
        paperSamples(
            id -> {
              loaded.add(id);
              if (id.equals("case-c")) {
                throw new IOException("image_A.nii: truncated after 1024 bytes");
              }
              return preparedCase(id);
            });
    List<String> order = List.of("case-a", "case-b", "case-c", "case-d");
    SamplePrefetcher prefetcher = new SamplePrefetcher(source, order, 4, SEEDS, 1);
    try (prefetcher) {
      assertEquals("case-a", prefetcher.next().caseId());
      assertEquals("case-b", prefetcher.next().caseId());
      IOException e = assertThrows(IOException.class, prefetcher::next);
      assertEquals(
          "training sample of case case-c (epoch 4): image_A.nii: truncated after 1024 bytes",
          e.getMessage());
      assertTrue(e.getCause() instanceof IOException);
      assertThrows(IllegalStateException.class, prefetcher::next);
    }
    assertFalse(prefetcher.loading());
    assertEquals(List.of("case-a", "case-b", "case-c"), loaded); // nothing loaded past the failure
  }

  @Test
  void closingMidEpochStopsTheThreadAndLoadsAtMostTheQueueAhead() throws IOException {
    List<String> loaded = new CopyOnWriteArrayList<>();
    PreparedCaseSamples source =
        paperSamples(
            id -> {
              loaded.add(id);
              return preparedCase(id);
            });
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      many.add("case-" + i);
    }
    SamplePrefetcher prefetcher = new SamplePrefetcher(source, many, 0, SEEDS, 2);
    Sample first;
    try (prefetcher) {
      first = prefetcher.next();
    }
    assertFalse(prefetcher.loading());
    assertEquals("case-0", first.caseId());
    // one taken, two waiting in the queue, one being drawn when the queue was full: at most 4
    assertTrue(loaded.size() <= 4, "loaded " + loaded);
  }

  @Test
  void anEpochEndsWithItsThreadFinished() throws IOException {
    PreparedCaseSamples source = paperSamples(SamplePrefetcherTest::preparedCase);
    SamplePrefetcher prefetcher = new SamplePrefetcher(source, CASES, 1, SEEDS, 2);
    try (prefetcher) {
      for (int i = 0; i < CASES.size(); i++) {
        prefetcher.next();
      }
      assertThrows(IllegalStateException.class, prefetcher::next);
    }
    assertFalse(prefetcher.loading());
  }
}
