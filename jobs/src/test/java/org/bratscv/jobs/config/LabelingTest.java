package org.bratscv.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.bratscv.model.infer.Precision;
import org.junit.jupiter.api.Test;

class LabelingTest {
  private static Labeling read(String yaml, Labeling otherwise) {
    return Labeling.read(
        Settings.of(ConfigTree.parse(yaml, Path.of("."))).section("ensemble"), otherwise);
  }

  @Test
  void theDefaultsAreTheMethodsAndMergeTwoPipelinesInTheirOrder() {
    assertEquals(
        new Labeling(16, 0.5, List.of("B", "A"), Precision.FP32, false),
        Labeling.defaults(List.of("B", "A")));
    assertEquals(List.of(), Labeling.defaults(List.of("A")).merge());
  }

  @Test
  void readingTakesTheKeysTheSectionSetsAndTheOthersFromTheFallback() {
    Labeling fallback = new Labeling(16, 0.5, List.of("A", "B"), Precision.FP32, false);
    assertEquals(
        new Labeling(1, 0.5, List.of("A", "B"), Precision.FP32, true),
        read("ensemble: {tta: 1, brain_mask: true}", fallback));
    assertEquals(
        new Labeling(16, 0.3, List.of(), Precision.FP16, false),
        read("ensemble: {threshold: 0.3, merge: [], precision: fp16}", fallback));
    assertEquals(fallback, read("name: x", fallback));
  }

  @Test
  void whatItWritesReadsBackAsTheSameLabeling() {
    // every key differs from the fallback, so a key left out of writeTo would show
    Labeling l = new Labeling(1, 0.4, List.of("B", "A"), Precision.FP16, true);
    Labeling fallback = new Labeling(16, 0.5, List.of("A", "B"), Precision.FP32, false);
    String yaml = l.writeTo(ConfigTree.empty()).toYaml();
    assertEquals(l, read(yaml, fallback), yaml);
  }

  @Test
  void invalidSettingsAreRefusedNamingTheKey() {
    ConfigException tta =
        assertThrows(
            ConfigException.class, () -> new Labeling(8, 0.5, List.of(), Precision.FP32, false));
    assertTrue(tta.getMessage().contains("ensemble.tta"), tta.getMessage());
    for (double threshold : new double[] {0, 1, Double.NaN}) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> new Labeling(16, threshold, List.of(), Precision.FP32, false));
      assertTrue(e.getMessage().contains("ensemble.threshold"), e.getMessage());
    }
    for (List<String> merge : List.of(List.of("A"), List.of("A", "A"), List.of("A", "B", "C"))) {
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> new Labeling(16, 0.5, merge, Precision.FP32, false));
      assertTrue(e.getMessage().contains("ensemble.merge"), e.getMessage());
    }
    ConfigException precision =
        assertThrows(
            ConfigException.class,
            () -> read("ensemble: {precision: fp8}", Labeling.defaults(List.of("A"))));
    assertTrue(precision.getMessage().contains("ensemble.precision"), precision.getMessage());
  }

  @Test
  void takingFromReplacesOnlyTheNamedKeys() {
    Labeling own = new Labeling(16, 0.5, List.of("A", "B"), Precision.FP32, false);
    Labeling other = new Labeling(1, 0.3, List.of(), Precision.FP16, true);
    assertEquals(
        new Labeling(1, 0.5, List.of("A", "B"), Precision.FP32, true),
        own.takingFrom(other, Set.of("tta", "brain_mask")));
    assertEquals(other, own.takingFrom(other, Set.copyOf(Labeling.KEYS)));
    assertEquals(own, own.takingFrom(other, Set.of()));
  }

  @Test
  void aMergeOfAPipelineTheEnsembleLacksIsDropped() {
    Labeling l = new Labeling(16, 0.5, List.of("A", "B"), Precision.FP32, false);
    assertSame(l, l.mergingOnly(Set.of("A", "B")));
    assertEquals(List.of(), l.mergingOnly(Set.of("A")).merge());
  }
}
