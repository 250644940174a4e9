package org.bratscv.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.PreprocessStage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code brats-cv bench preprocess}: how the preprocess stage scales with cores. The same archive
 * (synthetic phantoms this command writes, or {@code --archive}) goes through the stage once per
 * {@code --parallel} count N, on {@code local[N]} with one case per task, into a fresh output
 * folder each time; the rate is cases per second of the whole stage (reading, checks, crop, both
 * normalisations, writing). A first, untimed pass warms the JVM up. With {@code --repeat R} the
 * passes are interleaved (1, 2, 1, 2, ...), so that a slow minute of a shared machine (page-cache
 * writeback, a neighbour's build) falls on every N alike, and each N is reported by its median
 * pass; the fastest pass is reported beside it. The speed-up is the ratio of the medians; each
 * round's own ratio (its largest-N pass against its smallest-N pass, run back to back) is reported
 * too, so the spread a shared machine puts on the speed-up is visible (on a 2-core VM, 1.5-2.1
 * between runs of the same jar).
 */
@Command(
    name = "preprocess",
    mixinStandardHelpOptions = true,
    description = {
      "Cases per second of the preprocess stage on local[N] for each N of --parallel (one case"
          + " per task), and the speed-up of the largest N over the smallest, after an untimed"
          + " warm-up pass."
    })
public final class BenchPreprocessCommand implements Callable<Integer> {
  @Option(
      names = "--archive",
      paramLabel = "DIR",
      description = "an archive to preprocess (default: synthetic phantoms written to --work)")
  String archive;

  @Option(
      names = "--cases",
      paramLabel = "N",
      description = "synthetic cases to write (default ${DEFAULT-VALUE})")
  int cases = 12;

  @Option(
      names = "--size",
      paramLabel = "XxYxZ",
      description = "size of the synthetic cases (default ${DEFAULT-VALUE})")
  String size = "240x240x155";

  @Option(
      names = "--parallel",
      split = ",",
      paramLabel = "N",
      description = "parallel tasks (cores of local[N]) to time (default ${DEFAULT-VALUE})")
  List<Integer> parallel = List.of(1, 2);

  @Option(
      names = "--repeat",
      paramLabel = "R",
      description =
          "timed passes per N, interleaved across the Ns; the median counts (default"
              + " ${DEFAULT-VALUE})")
  int repeat = 1;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      description = "folder for the phantoms and outputs (default: a temporary folder, deleted)")
  Path work;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (cases < 1 || repeat < 1 || parallel.isEmpty() || parallel.stream().anyMatch(n -> n < 1)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--cases, --repeat and every --parallel count must be at least 1");
    }
    boolean temporary = work == null;
    Path dir = temporary ? Files.createTempDirectory("bench-preprocess") : work;
    try {
      return measure(dir);
    } finally {
      if (temporary) {
        deleteTree(dir);
      }
    }
  }

  private int measure(Path dir) throws IOException {
    String source = archive;
    Dims dims = null;
    if (source == null) {
      dims = Dims.parse(size);
      Path phantoms = dir.resolve("archive");
      new PhantomArchive(new PhantomGenerator(dims, 1), "Training", 1, true)
          .write(phantoms, cases, id -> {});
      source = phantoms.toString();
    }
    PrintWriter out = spec.commandLine().getOut();
    int found = run(source, dir.resolve("warm-up"), parallel.get(parallel.size() - 1)).caseCount();
    Map<Integer, List<Pass>> passes = new LinkedHashMap<>();
    for (int r = 0; r < repeat; r++) {
      for (int n : parallel) {
        passes
            .computeIfAbsent(n, k -> new ArrayList<>())
            .add(run(source, dir.resolve("out-" + n + "-" + r), n));
      }
    }
    List<Pass> best = new ArrayList<>();
    List<Pass> fastest = new ArrayList<>();
    for (List<Pass> list : passes.values()) {
      List<Pass> sorted = new ArrayList<>(list);
      sorted.sort(Comparator.comparingDouble(Pass::seconds));
      best.add(median(sorted));
      fastest.add(sorted.get(0));
    }
    for (int i = 0; i < best.size() && !json; i++) {
      Pass p = best.get(i);
      out.printf(
          Locale.ROOT,
          "brats-cv: preprocess on local[%d], 1 case per task: %d cases in %.2f s = %.2f"
              + " cases/s (median of %d; fastest %.2f s)%n",
          p.parallel(),
          p.caseCount(),
          p.seconds(),
          p.casesPerSecond(),
          repeat,
          fastest.get(i).seconds());
      out.flush();
    }
    Pass first = best.get(0);
    Pass last = best.get(best.size() - 1);
    double speedup = last.casesPerSecond() / first.casesPerSecond();
    List<Double> rounds = roundSpeedups(passes.get(first.parallel()), passes.get(last.parallel()));
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("tool", "brats-cv");
      o.put("cases", found);
      o.put("size", dims == null ? "archive" : dims.toString());
      o.put("repeat", repeat);
      ArrayNode runs = o.putArray("runs");
      for (int i = 0; i < best.size(); i++) {
        Pass p = best.get(i);
        ObjectNode r = runs.addObject();
        r.put("parallel", p.parallel());
        r.put("seconds", p.seconds());
        r.put("cases_per_s", p.casesPerSecond());
        r.put("fastest_seconds", fastest.get(i).seconds());
      }
      o.put("speedup", speedup);
      ArrayNode perRound = o.putArray("round_speedups");
      rounds.forEach(perRound::add);
      out.println(o);
    } else {
      out.printf(
          Locale.ROOT,
          "brats-cv: speed-up from local[%d] to local[%d]: %.2fx (ratio of the medians; the"
              + " %d rounds alone %.2f-%.2fx)%n",
          first.parallel(),
          last.parallel(),
          speedup,
          rounds.size(),
          Collections.min(rounds),
          Collections.max(rounds));
    }
    out.flush();
    return 0;
  }

  /**
   * Each round's speed-up: the time of its pass at the smallest N over the time of its pass at the
   * largest N ({@code fewest} and {@code most} in round order).
   */
  static List<Double> roundSpeedups(List<Pass> fewest, List<Pass> most) {
    List<Double> out = new ArrayList<>();
    for (int r = 0; r < fewest.size(); r++) {
      out.add(fewest.get(r).seconds() / most.get(r).seconds());
    }
    return out;
  }

  /**
   * The middle pass of {@code sorted} (by time); for an even count the mean of the two middle
   * times.
   */
  static Pass median(List<Pass> sorted) {
    int m = sorted.size() / 2;
    if (sorted.size() % 2 == 1) {
      return sorted.get(m);
    }
    Pass a = sorted.get(m - 1);
    Pass b = sorted.get(m);
    return new Pass(a.parallel(), a.caseCount(), (a.seconds() + b.seconds()) / 2);
  }

  /** One timed pass of the stage at {@code n} parallel tasks. */
  record Pass(int parallel, int caseCount, double seconds) {
    double casesPerSecond() {
      return caseCount / seconds;
    }
  }

  private Pass run(String source, Path output, int n) throws IOException {
    SparkSession spark =
        SparkSessions.getOrCreate(
            "bench preprocess local[" + n + "]",
            Map.of("spark.master", "local[" + n + "]", "spark.ui.showConsoleProgress", "false"));
    try {
      PreprocessStage.Settings s =
          new PreprocessStage.Settings(
              source,
              new OutputRoot(output.toAbsolutePath().toString()),
              EnumSet.allOf(Normalization.class),
              null,
              1,
              Integer.MAX_VALUE - 8L);
      long t0 = System.nanoTime();
      PreprocessStage.Result r = new PreprocessStage().run(spark, s);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (!r.errors().isEmpty()) {
        throw new IOException(
            "preprocessing failed for "
                + r.errors().size()
                + " case(s), first: "
                + r.errors().get(0).getReason());
      }
      return new Pass(n, r.ok().size(), seconds);
    } finally {
      spark.stop();
      deleteTree(output);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
