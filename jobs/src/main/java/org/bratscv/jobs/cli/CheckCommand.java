package org.bratscv.jobs.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.bratscv.data.cases.CaseDiscovery;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.config.ConfigFile;
import org.bratscv.jobs.config.ConfigTree;
import org.bratscv.jobs.config.PipelineSettings;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.HadoopCaseStore;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.StaleOutputs;
import org.bratscv.jobs.spark.TaskCpus;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.RunPlan;
import org.bratscv.jobs.stages.TrainedEnsemble;
import org.bratscv.jobs.sweep.MemberSelection;
import org.bratscv.jobs.sweep.Sweep;
import org.bratscv.jobs.sweep.SweepConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code brats-cv check}: what a run would do, without running it. Takes a run command's own
 * arguments ({@code check cv --config F --set k=v}, {@code check segment --models ...}, or just
 * {@code check --config F ...}, read as {@code cv} or {@code sweep} by the file), parses them with
 * that command's definition, and prints the plan; starts no Spark session and trains nothing.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Checks a run before it starts: loads and validates the configuration (includes resolved,"
          + " --set applied), checks that the archives are readable and the output writable, and"
          + " prints the plan: stages, cases found, tasks per stage, GPUs/CPUs per task, and what"
          + " a run would skip as done. Starts no Spark job and trains nothing.",
      "Usage: check --config FILE [--set key=value]... (a run configuration or a sweep file), or"
          + " check COMMAND ARGS... with the arguments of cv, sweep, preprocess, folds, train,"
          + " infer, evaluate, report or segment.",
      "Exit code: 0 the run can start, 2 a problem (each one printed)."
    })
public final class CheckCommand implements Callable<Integer> {
  static final String NAME = "check";

  @Parameters(
      paramLabel = "ARGS",
      arity = "1..*",
      description = "[COMMAND] and that command's arguments, e.g. --config conf/demo.yaml.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    String command = args.get(0).startsWith("-") ? null : args.get(0);
    String[] rest = args.subList(command == null ? 0 : 1, args.size()).toArray(String[]::new);
    if (command == null) {
      command = isSweepFile(rest) ? "sweep" : "cv";
    }
    List<String> lines = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    lines.add("check: brats-cv " + command + " " + String.join(" ", rest));
    switch (command) {
      case "cv", "preprocess", "folds", "train", "infer", "evaluate" -> {
        Object parsed =
            switch (command) {
              case "cv" -> new CvCommand();
              case "preprocess" -> new StageCommands.Preprocess();
              case "folds" -> new StageCommands.Folds();
              case "train" -> new StageCommands.Train();
              case "infer" -> new StageCommands.Infer();
              default -> new StageCommands.Evaluate();
            };
        new CommandLine(parsed).parseArgs(rest);
        RunOptions run =
            parsed instanceof CvCommand cv ? cv.run : ((StageCommands.Stage) parsed).run;
        StaleOptions stale =
            parsed instanceof CvCommand cv ? cv.stale : ((StageCommands.Stage) parsed).stale;
        checkRun(run.config, run.overrides, stale.policy(), lines, problems);
      }
      case "sweep" -> {
        SweepCommand s = new SweepCommand();
        new CommandLine(s).parseArgs(rest);
        checkSweep(s, lines, problems);
      }
      case "segment" -> {
        SegmentCommand s = new SegmentCommand();
        new CommandLine(s).parseArgs(rest);
        checkSegment(s, lines, problems);
      }
      case "report" -> {
        ReportCommand r = new ReportCommand();
        new CommandLine(r).parseArgs(rest);
        if (r.where.config != null) {
          RunConfig c = load(r.where.config, r.overrides, lines);
          readable("output", c.output(), HadoopConf.forDriver(c.spark()), lines, problems);
        } else {
          readable("--root", r.where.root, HadoopConf.forDriver(Map.of()), lines, problems);
        }
      }
      default ->
          throw new CommandLine.ParameterException(
              new CommandLine(this),
              "check: '"
                  + command
                  + "' is not a run command (cv, sweep, preprocess, folds, train, infer, evaluate,"
                  + " report, segment)");
    }
    lines.forEach(System.out::println);
    if (problems.isEmpty()) {
      System.out.println("check: ok, the run can start");
      return 0;
    }
    System.out.println("check: " + problems.size() + " problem(s):");
    problems.forEach(p -> System.out.println("  - " + p));
    return 2;
  }

  /** A sweep file names a base configuration and variants; a run configuration does not. */
  private static boolean isSweepFile(String[] rest) {
    for (int i = 0; i < rest.length - 1; i++) {
      if (rest[i].equals("--config")) {
        ConfigTree t = ConfigTree.load(ConfigFile.of(rest[i + 1]), HadoopConf.forDriver(Map.of()));
        return t.get("variants") != null && t.get("base") != null;
      }
    }
    return false;
  }

  /** Loads a run configuration, listing the files read (includes show where they came from). */
  private static RunConfig load(String config, List<String> overrides, List<String> lines) {
    List<ConfigFile> read = new ArrayList<>();
    ConfigTree tree =
        ConfigTree.load(ConfigFile.of(config), HadoopConf.forDriver(Map.of()), read::add);
    lines.add("configuration: " + read.get(0) + includes(read));
    RunConfig c = RunConfig.of(tree.withAll(overrides));
    lines.add(
        String.format(
            "settings: valid; name %s, seed %d, pipelines %s, %d folds, TTA %d",
            c.name(), c.seed(), c.pipelines().keySet(), c.folds(), c.ensemble().labeling().tta()));
    return c;
  }

  private static String includes(List<ConfigFile> read) {
    return read.size() == 1
        ? ""
        : " (includes " + read.subList(1, read.size()).stream().map(String::valueOf).toList() + ")";
  }

  /** The Spark settings a run would have: spark-submit's, then the configuration's. */
  private static SparkConf sparkConf(Map<String, String> spark) {
    SparkConf conf = new SparkConf();
    spark.forEach(conf::setIfMissing);
    return conf;
  }

  private static void checkRun(
      String config,
      List<String> overrides,
      StaleOutputs stale,
      List<String> lines,
      List<String> problems) {
    RunConfig c = load(config, overrides, lines);
    Configuration hadoop = HadoopConf.forDriver(c.spark());
    OutputRoot out = new OutputRoot(c.output());
    locked(hadoop, out, problems);
    RunPlan plan =
        RunPlan.of(
            hadoop,
            c,
            new RunFolder(out),
            Map.of(CrossValidation.VARIANT, c.pipelines()),
            c.normalizations(),
            sparkConf(c.spark()),
            stale);
    lines.addAll(plan.lines());
    problems.addAll(plan.problems());
    String models = c.ensemble().models();
    if (models != null) {
      try {
        TrainedEnsemble e = Runs.testEnsemble(hadoop, models);
        lines.add(
            String.format(
                "test ensemble: ensemble.models, %d models (variant %s, pipelines %s) from %s",
                e.modelCount(), e.variant(), e.members().keySet(), e.source()));
      } catch (ConfigException e) {
        problems.add(e.getMessage());
      }
    }
  }

  private static void checkSweep(SweepCommand s, List<String> lines, List<String> problems)
      throws IOException {
    Configuration driver = HadoopConf.forDriver(Map.of());
    ConfigFile file = ConfigFile.of(s.config);
    List<ConfigFile> read = new ArrayList<>();
    ConfigTree tree = ConfigTree.load(file, driver, read::add);
    Object base = tree.get("base");
    if (base != null) {
      ConfigTree.load(file.resolve(base.toString(), driver), driver, read::add);
    }
    lines.add("sweep file: " + read.get(0) + includes(read));
    SweepConfig c = SweepConfig.load(file, driver, s.overrides, s.output);
    RunConfig baseline = c.baselineConfig();
    Configuration hadoop = HadoopConf.forDriver(baseline.spark());
    RunFolder root = Sweep.runFolder(c, s.runId);
    lines.add(
        String.format(
            "settings: valid; sweep %s, %d variants %s, baseline %s%s",
            c.name(),
            c.variants().size(),
            c.variants().keySet(),
            c.baseline(),
            c.ensemble() == null ? "" : ", with an ensemble section"));
    locked(hadoop, new OutputRoot(c.output()), problems);
    Map<String, Map<String, PipelineSettings>> pipelines = new LinkedHashMap<>();
    List<String> removal = new ArrayList<>();
    for (SweepConfig.Variant v : c.variants().values()) {
      if (v.removal() == null) {
        pipelines.put(v.name(), v.config().pipelines());
      } else {
        removal.add(v.name());
      }
    }
    RunPlan plan =
        RunPlan.of(
            hadoop,
            baseline,
            root,
            pipelines,
            c.normalizations(),
            sparkConf(baseline.spark()),
            s.stale.policy());
    lines.addAll(plan.lines());
    problems.addAll(plan.problems());
    if (!removal.isEmpty()) {
      lines.add(
          "train: variants with patient removal "
              + removal
              + " train in a second job, once their source variant's cases are scored");
    }
    if (c.ensemble() != null) {
      lines.add(
          "ensemble: selected anew on every run from the variants' scores ("
              + c.ensemble().rules().stream().map(MemberSelection.Rule::describe).toList()
              + "), then it segments data.test"
              + (c.ensemble().merge().isEmpty() ? "" : " with merge " + c.ensemble().merge()));
    }
    FileSystem fs = root.root().fileSystem(hadoop);
    List<String> finished = new ArrayList<>();
    for (SweepConfig.Variant v : c.variants().values()) {
      if (fs.exists(root.variant(v.name()).done()) && Sweep.isDone(fs, root, v)) {
        finished.add(v.name());
      }
    }
    lines.add(
        "variants: run folder "
            + root.uri()
            + "; finished with their present configuration (skipped): "
            + finished);
  }

  private static void checkSegment(SegmentCommand s, List<String> lines, List<String> problems) {
    Configuration hadoop = HadoopConf.forDriver(Map.of());
    try {
      TrainedEnsemble e = Runs.ensemble(hadoop, s.models, s.variant);
      lines.add(
          String.format(
              "models: ensemble of %d models (variant %s, pipelines %s, merge %s) from %s",
              e.modelCount(), e.variant(), e.members().keySet(), e.labeling().merge(), e.source()));
    } catch (IOException | RuntimeException e) {
      problems.add("--models " + s.models + ": " + (e.getMessage() == null ? e : e.getMessage()));
    }
    try {
      CaseDiscovery.Result r = new CaseDiscovery(new HadoopCaseStore(hadoop)).discover(s.input);
      if (r.cases().isEmpty()) {
        problems.add("--input " + s.input + ": no cases found");
      } else {
        int tasks = (r.cases().size() + s.casesPerTask - 1) / s.casesPerTask;
        TaskCpus cpus = TaskCpus.of(sparkConf(Map.of()), s.engineThreads);
        lines.add(
            String.format(
                "--input: %s (readable): %d cases in %d tasks (%d per task), %s, %s",
                s.input,
                r.cases().size(),
                tasks,
                s.casesPerTask,
                cpus.gpus() ? s.gpuShare + " GPU each" : "on CPUs",
                cpus.describe()));
      }
    } catch (IOException | RuntimeException e) {
      problems.add("--input " + s.input + ": " + e.getMessage());
    }
    OutputRoot out = new OutputRoot(s.output);
    String why = out.whyNotWritable(hadoop);
    if (why != null) {
      problems.add("--output " + s.output + ": " + why);
      return;
    }
    locked(hadoop, out, problems);
    try {
      FileSystem fs = out.fileSystem(hadoop);
      Path labelmaps = new RunFolder(out).labelmapsDir();
      int existing = 0;
      if (fs.exists(labelmaps)) {
        for (FileStatus st : fs.listStatus(labelmaps)) {
          existing += OutputRoot.isTemporary(st.getPath().getName()) ? 0 : 1;
        }
      }
      lines.add(
          "--output: "
              + s.output
              + " (writable): "
              + existing
              + " labelmaps exist (skipped when the same ensemble and settings made them,"
              + " fingerprint.json)");
    } catch (IOException e) {
      problems.add("--output " + s.output + ": " + e.getMessage());
    }
  }

  private static void readable(
      String what, String root, Configuration hadoop, List<String> lines, List<String> problems) {
    try {
      Path p = new Path(root);
      if (p.getFileSystem(hadoop).exists(p)) {
        lines.add(what + ": " + root + " (readable)");
        return;
      }
      problems.add(what + " " + root + ": not found");
    } catch (IOException | RuntimeException e) {
      problems.add(what + " " + root + ": " + e.getMessage());
    }
  }

  /** A lock held on the output makes a run exit with 4: a problem for the plan. */
  private static void locked(Configuration hadoop, OutputRoot out, List<String> problems) {
    try {
      Path lock = out.resolve(RunLock.FILE_NAME);
      FileSystem fs = lock.getFileSystem(hadoop);
      if (fs.exists(lock)) {
        String holder;
        try (var in = fs.open(lock)) {
          holder = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        }
        problems.add(
            "output "
                + out.uri()
                + " is locked by another run ("
                + lock
                + ": "
                + holder
                + "); a run would exit with 4 (unless that run is gone and held it on this host,"
                + " then its lock is taken over)");
      }
    } catch (IOException | RuntimeException e) {
      // reachability of the output is checked (and reported) on its own
    }
  }
}
