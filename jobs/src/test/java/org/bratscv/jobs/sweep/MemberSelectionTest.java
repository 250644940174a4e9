package org.bratscv.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bratscv.data.folds.Fold;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.stages.MetricRow;
import org.junit.jupiter.api.Test;

/** The ensemble section of a sweep file: parsing, validation scores, ranking, the fingerprint. */
class MemberSelectionTest {
  private static final String RULE =
      "{pipeline: A, from: [unet, removal, attention], per_fold: 2, by: validation_dice}";

  private static MemberSelection parse(String yaml) {
    return MemberSelection.parse(ConfigTree.parse(yaml, Path.of(".")).get("ensemble"));
  }

  private static MemberSelection.Score score(double dice) {
    return new MemberSelection.Score(dice, dice, dice, 3);
  }

  @Test
  void aRuleAndNamedModelsAreReadWithTheMergeOfTheirTwoPipelines() {
    MemberSelection s =
        parse("ensemble:\n  members:\n    - " + RULE + "\n    - {variant: b, pipeline: B}\n");
    assertEquals(List.of("A", "B"), s.pipelines());
    assertEquals(List.of("A", "B"), s.merge(), "two pipelines: merged in order of mention");
    MemberSelection.Rule r = s.rules().get(0);
    assertTrue(r.ranked());
    assertEquals(2, r.perFold());
    assertEquals(List.of("unet", "removal", "attention"), r.from());
    assertFalse(s.rules().get(1).ranked());
    assertEquals(null, s.rules().get(1).fold());
    assertEquals(
        List.of(),
        parse("ensemble:\n  members: [" + RULE + "]\n").merge(),
        "one pipeline: no second pass");
  }

  @Test
  void mistakesInTheSectionNameTheEntryAndTheProblem() {
    assertThrows(ConfigException.class, () -> parse("ensemble:\n  members: []\n"));
    ConfigException both =
        assertThrows(
            ConfigException.class,
            () -> parse("ensemble:\n  members: [{pipeline: A, from: [a], variant: a}]\n"));
    assertTrue(
        both.getMessage().startsWith("ensemble.members[0]: give either from"), both.getMessage());
    ConfigException tooMany =
        assertThrows(
            ConfigException.class,
            () -> parse("ensemble:\n  members: [{pipeline: A, from: [a, b], per_fold: 3}]\n"));
    assertTrue(tooMany.getMessage().contains("per_fold must be 1..2"), tooMany.getMessage());
    ConfigException by =
        assertThrows(
            ConfigException.class,
            () -> parse("ensemble:\n  members: [{pipeline: A, from: [a], by: hd95}]\n"));
    assertTrue(by.getMessage().contains("only validation_dice"), by.getMessage());
    ConfigException typo =
        assertThrows(
            ConfigException.class,
            () -> parse("ensemble:\n  members: [{pipeline: A, variant: a, folds: 1}]\n"));
    assertTrue(typo.getMessage().contains("unknown key 'folds'"), typo.getMessage());
    ConfigException merge =
        assertThrows(
            ConfigException.class,
            () -> parse("ensemble:\n  members: [" + RULE + "]\n  merge: [A, B]\n"));
    assertTrue(merge.getMessage().contains("members' pipelines are [A]"), merge.getMessage());
  }

  @Test
  void theValidationDiceIsTheMeanOverRegionsOfTheFoldsCaseMeans() {
    FoldSplit split =
        new FoldSplit(
            1L,
            2,
            List.of(
                new Fold(0, List.of("c3", "c4"), List.of("c1", "c2")),
                new Fold(1, List.of("c1", "c2"), List.of("c3", "c4"))));
    List<MetricRow> rows = new ArrayList<>();
    // fold 0's cases: ET 0.2 and 0.4, TC 0.5 and 0.7, WT 0.8 and NaN (undefined, left out)
    rows.add(new MetricRow("oof-A", "c1", "ET", 0.2, 1, 1, 1));
    rows.add(new MetricRow("oof-A", "c2", "ET", 0.4, 1, 1, 1));
    rows.add(new MetricRow("oof-A", "c1", "TC", 0.5, 1, 1, 1));
    rows.add(new MetricRow("oof-A", "c2", "TC", 0.7, 1, 1, 1));
    rows.add(new MetricRow("oof-A", "c1", "WT", 0.8, 1, 1, 1));
    rows.add(new MetricRow("oof-A", "c2", "WT", Double.NaN, 1, 1, 1));
    // another fold's case and another set: not counted
    rows.add(new MetricRow("oof-A", "c3", "ET", 0.0, 1, 1, 1));
    rows.add(new MetricRow("oof-B", "c1", "ET", 0.0, 1, 1, 1));
    MemberSelection.Score s = MemberSelection.score(rows, "A", 0, split);
    assertEquals(0.3, s.diceEt(), 1e-12);
    assertEquals(0.6, s.diceTc(), 1e-12);
    assertEquals(0.8, s.diceWt(), 1e-12);
    assertEquals((0.3 + 0.6 + 0.8) / 3, s.validationDice(), 1e-12);
    assertEquals(2, s.cases());
    assertTrue(Double.isNaN(MemberSelection.score(rows, "A", 1, split).diceTc()));
  }

  @Test
  void theBestPerFoldAreSelectedTiesKeepTheOrderOfFromAndUnscoredModelsAreLeftOut() {
    MemberSelection s =
        parse("ensemble:\n  members:\n    - " + RULE + "\n    - {variant: b, pipeline: B}\n");
    List<MemberSelection.Model> models = new ArrayList<>();
    for (String v : List.of("unet", "removal", "attention")) {
      for (int f = 0; f < 2; f++) {
        models.add(new MemberSelection.Model(v, "A", f, v + f));
      }
    }
    models.add(new MemberSelection.Model("b", "B", 0, "b0"));
    models.add(new MemberSelection.Model("b", "B", 1, "b1"));
    Map<String, MemberSelection.Score> scores =
        Map.of(
            "unet/A/fold0", score(0.5),
            "removal/A/fold0", score(0.7),
            "attention/A/fold0", score(0.6),
            // fold 1: removal and attention tie below unet; unet's scores are missing
            "removal/A/fold1", score(0.4),
            "attention/A/fold1", score(0.4));
    List<MemberSelection.Candidate> rows = s.select(models, scores);
    assertEquals(8, rows.size());
    List<String> taken = new ArrayList<>();
    for (MemberSelection.Candidate c : rows) {
      if (c.selected()) {
        taken.add(c.variant() + "/" + c.pipeline() + "/" + c.fold() + "#" + c.rank());
      }
    }
    assertEquals(
        List.of(
            "removal/A/0#1",
            "attention/A/0#2",
            "removal/A/1#1",
            "attention/A/1#2",
            "b/B/0#0",
            "b/B/1#0"),
        taken);
    MemberSelection.Candidate unet1 =
        rows.stream()
            .filter(c -> c.variant().equals("unet") && c.fold() == 1)
            .findFirst()
            .orElseThrow();
    assertEquals(3, unet1.rank(), "without a score: last");
    assertFalse(unet1.selected());
  }

  @Test
  void aNamedModelThatDoesNotExistOrIsSelectedTwiceIsAnError() {
    MemberSelection s =
        parse(
            "ensemble:\n  members:\n    - {variant: unet, pipeline: A, fold: 1}\n"
                + "    - {variant: unet, pipeline: A}\n");
    List<MemberSelection.Model> models =
        List.of(
            new MemberSelection.Model("unet", "A", 0, "u0"),
            new MemberSelection.Model("unet", "A", 1, "u1"));
    ConfigException twice = assertThrows(ConfigException.class, () -> s.select(models, Map.of()));
    assertTrue(twice.getMessage().contains("unet/A/fold1 is selected by two"), twice.getMessage());
    MemberSelection missing =
        parse("ensemble:\n  members:\n    - {variant: unet, pipeline: A, fold: 2}\n");
    assertThrows(ConfigException.class, () -> missing.select(models, Map.of()));
  }

  @Test
  void theFingerprintChangesWithTheSelectedModelsAndTheirScoresOnly() throws IOException {
    MemberSelection s = parse("ensemble:\n  members:\n    - " + RULE + "\n");
    List<MemberSelection.Model> models =
        List.of(
            new MemberSelection.Model("unet", "A", 0, "u"),
            new MemberSelection.Model("removal", "A", 0, "r"),
            new MemberSelection.Model("attention", "A", 0, "a"));
    String base =
        MemberSelection.fingerprint(
            s.select(
                models,
                Map.of(
                    "unet/A/fold0", score(0.5),
                    "removal/A/fold0", score(0.7),
                    "attention/A/fold0", score(0.6))));
    String loserMoved =
        MemberSelection.fingerprint(
            s.select(
                models,
                Map.of(
                    "unet/A/fold0", score(0.1),
                    "removal/A/fold0", score(0.7),
                    "attention/A/fold0", score(0.6))));
    String memberScore =
        MemberSelection.fingerprint(
            s.select(
                models,
                Map.of(
                    "unet/A/fold0", score(0.5),
                    "removal/A/fold0", score(0.71),
                    "attention/A/fold0", score(0.6))));
    assertEquals(base, loserMoved, "a model left out does not count");
    assertNotEquals(base, memberScore, "a member's score counts");
    // what ensemble.csv holds reads back to the same fingerprint
    List<MemberSelection.Candidate> rows =
        s.select(
            models,
            Map.of(
                "unet/A/fold0", score(1.0 / 3),
                "removal/A/fold0", score(0.7),
                "attention/A/fold0", score(0.6)));
    String csv =
        new String(MemberSelection.TABLE.csv(rows), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(
        MemberSelection.fingerprint(rows),
        MemberSelection.fingerprint(MemberSelection.TABLE.parse(csv, "ensemble.csv")));
  }

  @Test
  void theSubmissionRecipesLoadWithTheirSelection() {
    for (String file : List.of("brats2020-submission.yaml", "demo-submission.yaml")) {
      SweepConfig c = SweepConfig.load(Path.of("..", "conf", file), List.of());
      assertEquals(
          List.of("unet", "patient-removal", "attention", "pipeline-b"),
          List.copyOf(c.variants().keySet()),
          file);
      assertEquals(List.of("A", "B"), c.ensemble().merge(), file);
      MemberSelection.Rule a = c.ensemble().rules().get(0);
      assertEquals(2, a.perFold(), file);
      assertEquals(List.of("unet", "patient-removal", "attention"), a.from(), file);
      assertEquals("pipeline-b", c.ensemble().rules().get(1).variant(), file);
      assertEquals(
          List.of("B"), List.copyOf(c.variants().get("pipeline-b").config().pipelines().keySet()));
      assertTrue(c.variants().get("attention").config().pipelines().get("A").network().attention());
      assertTrue(
          c.baselineConfig().testArchive() != null, file + ": the test archive is segmented");
    }
    assertEquals(
        5,
        SweepConfig.load(Path.of("..", "conf", "brats2020-submission.yaml"), List.of())
            .baselineConfig()
            .folds());
  }

  @Test
  void aRuleNamingAVariantWithoutItsPipelineOrAnUnknownVariantIsRefused() {
    String sweep =
        String.join(
            "\n",
            "base: " + Path.of("..", "conf", "demo.yaml").toAbsolutePath(),
            "output: out",
            "set: {ensemble.merge: []}",
            "baseline: a",
            "variants:",
            "  a: {set: {pipelines.B: null}}",
            "  b: {set: {pipelines.A: null}}",
            "ensemble:",
            "  members: [MEMBER]",
            "");
    ConfigException noPipeline =
        assertThrows(
            ConfigException.class,
            () ->
                SweepConfig.of(
                    ConfigTree.parse(
                        sweep.replace("MEMBER", "{pipeline: B, from: [a, b]}"), Path.of(".")),
                    Path.of("."),
                    List.of()));
    assertTrue(
        noPipeline.getMessage().contains("variant a has no pipeline B"), noPipeline.getMessage());
    ConfigException noVariant =
        assertThrows(
            ConfigException.class,
            () ->
                SweepConfig.of(
                    ConfigTree.parse(
                        sweep.replace("MEMBER", "{variant: c, pipeline: A}"), Path.of(".")),
                    Path.of("."),
                    List.of()));
    assertTrue(noVariant.getMessage().contains("no variant c"), noVariant.getMessage());
    SweepConfig ok =
        SweepConfig.of(
            ConfigTree.parse(
                sweep.replace("MEMBER", "{variant: b, pipeline: B, fold: 4}"), Path.of(".")),
            Path.of("."),
            List.of());
    assertEquals(4, ok.ensemble().rules().get(0).fold());
  }
}
