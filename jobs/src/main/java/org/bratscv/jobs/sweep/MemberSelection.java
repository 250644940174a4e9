package org.bratscv.jobs.sweep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.Table;
import org.bratscv.jobs.stages.MetricRow;
import org.bratscv.jobs.stages.ModelRow;

/**
 * The {@code ensemble} section of a sweep file: which trained models of the sweep's variants form
 * the ensemble that segments the test archive (and that {@code segment --models <sweep root>}
 * uses), and the two pipelines of its second pass.
 *
 * <pre>
 * ensemble:
 *   members:
 *     # per fold, the 2 best pipeline A models of three variants by their validation Dice
 *     - {pipeline: A, from: [unet, patient-removal, attention], per_fold: 2, by: validation_dice}
 *     # named models: every fold of a variant's pipeline, or one fold
 *     - {variant: pipeline-b, pipeline: B}
 *     - {variant: unet, pipeline: A, fold: 3}
 *   merge: [A, B]        # default: the two pipelines of the members, in order of first mention
 * </pre>
 *
 * A model's validation Dice is the mean of its fold's validation cases' Dice over ET, TC and WT
 * (the mean over the cases of each region, then of the three regions), read from the out-of-fold
 * labelmaps of its variant ({@code oof-<pipeline>}), which only that fold's model made. Ties keep
 * the order of {@code from}. Every candidate is written with its scores to {@code ensemble.csv}
 * ({@link #TABLE}), selected or not.
 *
 * @param rules the entries of {@code members}, in file order
 * @param merge the two pipelines of the second pass (first one's labels kept), or empty
 */
public record MemberSelection(List<Rule> rules, List<String> merge) implements Serializable {

  public static final String VALIDATION_DICE = "validation_dice";

  /**
   * One entry of {@code members}: a rule ({@code from} set: the best {@code perFold} of those
   * variants' models per fold) or named models ({@code variant} set; {@code fold} null for every
   * fold).
   */
  public record Rule(
      String pipeline, List<String> from, Integer perFold, String variant, Integer fold)
      implements Serializable {
    public boolean ranked() {
      return from != null;
    }

    /** How ensemble.csv names the entry. */
    public String describe() {
      return ranked()
          ? "best " + perFold + " per fold of " + String.join("|", from) + " by " + VALIDATION_DICE
          : "named " + variant + "/" + pipeline + (fold == null ? "" : "/fold" + fold);
    }
  }

  /** A trained model of the sweep: where it comes from and its models-manifest fingerprint. */
  public record Model(String variant, String pipeline, int fold, String fingerprint) {
    String key() {
      return variant + "/" + pipeline + "/fold" + fold;
    }
  }

  /** A model's mean validation Dice per region over its fold's validation cases. */
  public record Score(double diceEt, double diceTc, double diceWt, int cases) {
    public double validationDice() {
      return (diceEt + diceTc + diceWt) / 3;
    }
  }

  /**
   * One row of {@code ensemble.csv}: a candidate model, its scores, its rank among the candidates
   * of its fold (1 = best; 0 for named models) and whether it is a member of the ensemble.
   */
  public record Candidate(
      String variant,
      String pipeline,
      int fold,
      double diceEt,
      double diceTc,
      double diceWt,
      double validationDice,
      int cases,
      int rank,
      boolean selected,
      String rule,
      String fingerprint)
      implements Serializable {}

  /** {@code ensemble.csv} of a sweep root. */
  public static final Table<Candidate> TABLE =
      Table.<Candidate>builder("ensemble selection")
          .column("variant", Candidate::variant)
          .column("pipeline", Candidate::pipeline)
          .column("fold", c -> Integer.toString(c.fold()))
          .column("dice_et", c -> num(c.diceEt()))
          .column("dice_tc", c -> num(c.diceTc()))
          .column("dice_wt", c -> num(c.diceWt()))
          .column(VALIDATION_DICE, c -> num(c.validationDice()))
          .column("cases", c -> Integer.toString(c.cases()))
          .column("rank", c -> Integer.toString(c.rank()))
          .column("selected", c -> Boolean.toString(c.selected()))
          .column("rule", Candidate::rule)
          .column("fingerprint", Candidate::fingerprint)
          .optReader(
              r ->
                  new Candidate(
                      r.text("variant"),
                      r.text("pipeline"),
                      r.integer("fold"),
                      r.number("dice_et"),
                      r.number("dice_tc"),
                      r.number("dice_wt"),
                      r.number(VALIDATION_DICE),
                      r.integer("cases"),
                      r.integer("rank"),
                      r.bool("selected"),
                      r.text("rule"),
                      r.text("fingerprint")))
          .build();

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
  }

  public MemberSelection {
    rules = List.copyOf(rules);
    merge = List.copyOf(merge);
  }

  /** The pipelines the members come from, in order of first mention. */
  public List<String> pipelines() {
    Set<String> out = new LinkedHashSet<>();
    rules.forEach(r -> out.add(r.pipeline()));
    return new ArrayList<>(out);
  }

  /** The variants the rules name. */
  public Set<String> variants() {
    Set<String> out = new TreeSet<>();
    for (Rule r : rules) {
      if (r.ranked()) {
        out.addAll(r.from());
      } else {
        out.add(r.variant());
      }
    }
    return out;
  }

  /**
   * Reads the {@code ensemble} section's value (a map with {@code members} and optional {@code
   * merge}); errors name the entry and the problem.
   */
  public static MemberSelection parse(Object section) {
    if (!(section instanceof Map<?, ?> m)) {
      throw new ConfigException(
          "ensemble: expected a map with members (and merge), got " + section);
    }
    for (Object k : m.keySet()) {
      if (!List.of("members", "merge").contains(String.valueOf(k))) {
        throw new ConfigException("ensemble: unknown key '" + k + "' (members, merge)");
      }
    }
    if (!(m.get("members") instanceof List<?> entries) || entries.isEmpty()) {
      throw new ConfigException(
          "ensemble.members: a list of rules ({pipeline: A, from: [variants], per_fold: 2, by:"
              + " validation_dice}) or models ({variant: v, pipeline: A, fold: 0}) is needed");
    }
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      rules.add(rule("ensemble.members[" + i + "]", entries.get(i)));
    }
    MemberSelection s = new MemberSelection(rules, List.of());
    List<String> merge;
    Object mg = m.get("merge");
    if (mg == null) {
      merge = s.pipelines().size() == 2 ? s.pipelines() : List.of();
    } else if (mg instanceof List<?> l) {
      merge = l.stream().map(String::valueOf).toList();
      if (!merge.isEmpty() && (merge.size() != 2 || !s.pipelines().containsAll(merge))) {
        throw new ConfigException(
            "ensemble.merge names the two pipelines of the second pass (first one's labels kept),"
                + " got "
                + merge
                + "; the members' pipelines are "
                + s.pipelines());
      }
    } else {
      throw new ConfigException("ensemble.merge: expected a list like [A, B], got " + mg);
    }
    return new MemberSelection(rules, merge);
  }

  private static Rule rule(String where, Object entry) {
    if (!(entry instanceof Map<?, ?> e)) {
      throw new ConfigException(where + ": expected a map, got " + entry);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    e.forEach((k, v) -> m.put(String.valueOf(k), v));
    Object pipeline = m.get("pipeline");
    if (pipeline == null) {
      throw new ConfigException(where + ": pipeline is required");
    }
    if (m.containsKey("from") == m.containsKey("variant")) {
      throw new ConfigException(
          where
              + ": give either from (a rule: the best models of those variants per fold) or"
              + " variant (named models), got "
              + m.keySet());
    }
    if (m.containsKey("from")) {
      allowOnly(where, m, "pipeline", "from", "per_fold", "by");
      if (!(m.get("from") instanceof List<?> l) || l.isEmpty()) {
        throw new ConfigException(where + ".from: a list of variants, got " + m.get("from"));
      }
      List<String> from = l.stream().map(String::valueOf).toList();
      if (new LinkedHashSet<>(from).size() != from.size()) {
        throw new ConfigException(where + ".from names a variant twice: " + from);
      }
      Object by = m.getOrDefault("by", VALIDATION_DICE);
      if (!VALIDATION_DICE.equals(String.valueOf(by))) {
        throw new ConfigException(where + ".by: only " + VALIDATION_DICE + " is known, got " + by);
      }
      int perFold = integer(where + ".per_fold", m.getOrDefault("per_fold", from.size()));
      if (perFold < 1 || perFold > from.size()) {
        throw new ConfigException(
            where
                + ".per_fold must be 1.."
                + from.size()
                + " (the variants in from), got "
                + perFold);
      }
      return new Rule(String.valueOf(pipeline), from, perFold, null, null);
    }
    allowOnly(where, m, "pipeline", "variant", "fold");
    Integer fold = m.containsKey("fold") ? integer(where + ".fold", m.get("fold")) : null;
    if (fold != null && fold < 0) {
      throw new ConfigException(where + ".fold must be >= 0, got " + fold);
    }
    return new Rule(String.valueOf(pipeline), null, null, String.valueOf(m.get("variant")), fold);
  }

  private static void allowOnly(String where, Map<String, Object> m, String... keys) {
    for (String k : m.keySet()) {
      if (!List.of(keys).contains(k)) {
        throw new ConfigException(
            where + ": unknown key '" + k + "' (" + String.join(", ", keys) + ")");
      }
    }
  }

  private static int integer(String where, Object v) {
    if (v instanceof Integer i) {
      return i;
    }
    throw new ConfigException(where + ": expected an integer, got " + v);
  }

  /**
   * Every model's validation scores, from one variant's metrics: the rows of labelmap set {@code
   * oof-<pipeline>} of the cases the split puts in {@code fold}. Undefined Dice values are left out
   * of the means; a region without any value makes the score NaN.
   */
  public static Score score(List<MetricRow> metrics, String pipeline, int fold, FoldSplit split) {
    String set = "oof-" + pipeline;
    Map<String, double[]> sums = new HashMap<>(); // region -> {sum, n}
    Set<String> cases = new TreeSet<>();
    Set<String> inFold = new java.util.HashSet<>(split.fold(fold).val());
    for (MetricRow r : metrics) {
      if (!set.equals(r.getLabelmapSet()) || !inFold.contains(r.getCaseId())) {
        continue;
      }
      double d = r.diceOrNaN();
      if (Double.isNaN(d)) {
        continue;
      }
      double[] s = sums.computeIfAbsent(r.getRegion(), k -> new double[2]);
      s[0] += d;
      s[1]++;
      cases.add(r.getCaseId());
    }
    return new Score(mean(sums, "ET"), mean(sums, "TC"), mean(sums, "WT"), cases.size());
  }

  private static double mean(Map<String, double[]> sums, String region) {
    double[] s = sums.get(region);
    return s == null || s[1] == 0 ? Double.NaN : s[0] / s[1];
  }

  /**
   * Applies the rules to the sweep's trained models: every candidate of every rule, with its
   * scores, rank and whether it is selected. Failed models are no candidates; a model without a
   * score ranks last and is never selected by a rule. A rule that finds fewer scored candidates in
   * a fold than it asks for selects those it has.
   *
   * @param models the sweep's trained models (ok rows of the models manifest)
   * @param scores the scores by {@code variant/pipeline/fold}
   * @throws ConfigException when a named model does not exist, or a model is selected twice
   */
  public List<Candidate> select(List<Model> models, Map<String, Score> scores) {
    List<Candidate> out = new ArrayList<>();
    Set<String> selected = new java.util.HashSet<>();
    for (Rule rule : rules) {
      List<Candidate> rows = new ArrayList<>();
      if (rule.ranked()) {
        Map<Integer, List<Model>> byFold = new java.util.TreeMap<>();
        for (String v : rule.from()) {
          for (Model m : models) {
            if (m.variant().equals(v) && m.pipeline().equals(rule.pipeline())) {
              byFold.computeIfAbsent(m.fold(), k -> new ArrayList<>()).add(m);
            }
          }
        }
        for (List<Model> candidates : byFold.values()) {
          // stable sort: ties keep the order of `from`
          List<Model> ranked = new ArrayList<>(candidates);
          ranked.sort(
              Comparator.comparingDouble(
                  (Model m) -> {
                    double d = scoreOf(scores, m).validationDice();
                    return Double.isNaN(d) ? Double.POSITIVE_INFINITY : -d;
                  }));
          for (int i = 0; i < ranked.size(); i++) {
            Model m = ranked.get(i);
            boolean take = i < rule.perFold() && !Double.isNaN(scoreOf(scores, m).validationDice());
            rows.add(candidate(m, scoreOf(scores, m), i + 1, take, rule));
          }
        }
      } else {
        for (Model m : models) {
          if (m.variant().equals(rule.variant())
              && m.pipeline().equals(rule.pipeline())
              && (rule.fold() == null || rule.fold() == m.fold())) {
            rows.add(candidate(m, scoreOf(scores, m), 0, true, rule));
          }
        }
        if (rows.isEmpty()) {
          throw new ConfigException(
              "ensemble: " + rule.describe() + ": no such trained model in the sweep");
        }
      }
      for (Candidate c : rows) {
        if (c.selected() && !selected.add(c.variant() + "/" + c.pipeline() + "/fold" + c.fold())) {
          throw new ConfigException(
              "ensemble: "
                  + c.variant()
                  + "/"
                  + c.pipeline()
                  + "/fold"
                  + c.fold()
                  + " is selected by two entries of members");
        }
      }
      out.addAll(rows);
    }
    return out;
  }

  private static Score scoreOf(Map<String, Score> scores, Model m) {
    return scores.getOrDefault(m.key(), new Score(Double.NaN, Double.NaN, Double.NaN, 0));
  }

  private static Candidate candidate(Model m, Score s, int rank, boolean selected, Rule rule) {
    return new Candidate(
        m.variant(),
        m.pipeline(),
        m.fold(),
        s.diceEt(),
        s.diceTc(),
        s.diceWt(),
        s.validationDice(),
        s.cases(),
        rank,
        selected,
        rule.describe(),
        m.fingerprint());
  }

  /** The sweep's trained models, from the ok rows of its models manifest. */
  public static List<Model> models(List<ModelRow> manifest) {
    return manifest.stream()
        .filter(ModelRow::isOk)
        .map(r -> new Model(r.getVariant(), r.getPipeline(), r.getFold(), r.getFingerprint()))
        .toList();
  }

  /**
   * What a selection is, as a fingerprint ingredient of the labelmaps it makes: each member with
   * the rule that chose it and its scores as written in {@code ensemble.csv}, so another selection
   * or other scores make those labelmaps again.
   */
  public static String fingerprint(List<Candidate> rows) {
    List<String> items = new ArrayList<>();
    for (Candidate c : rows) {
      if (c.selected()) {
        items.add(
            c.variant()
                + "/"
                + c.pipeline()
                + "/fold"
                + c.fold()
                + " "
                + c.rule()
                + " "
                + VALIDATION_DICE
                + "="
                + num(c.validationDice())
                + " rank="
                + c.rank());
      }
    }
    return Fingerprint.builder().addSet("members", items).build().hash();
  }
}
