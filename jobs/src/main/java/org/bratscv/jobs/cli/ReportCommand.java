package org.bratscv.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.jobs.config.ConfigFile;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.report.RunReport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code brats-cv report}: the HTML and Markdown report of a finished (or partial) run. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Writes report/index.html, report/report.md and report/img/*.png under a run's output"
          + " root: the results table, Dice box plots, HD95 distributions, training curves and"
          + " the best, median and worst case over their T1Gd; for a sweep root also the"
          + " comparison of the variants.",
      "Parts whose inputs are missing say so; the report needs no network to view."
    })
public final class ReportCommand implements Callable<Integer> {
  /** Either the run configuration (its output root) or the root itself. */
  static final class Where {
    @Option(
        names = "--config",
        description = "Run configuration (YAML) whose output root to report on.")
    String config;

    @Option(names = "--root", description = "Output root of a cv or sweep run (any Hadoop URI).")
    String root;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  @Option(
      names = "--set",
      description = "Override one configuration key, with --config (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Configuration hadoop = HadoopConf.forDriver(Map.of());
    String output;
    if (where.config != null) {
      RunConfig c = RunConfig.load(ConfigFile.of(where.config), hadoop, overrides);
      // the file systems the run used: spark.hadoop.* settings of the configuration
      hadoop = HadoopConf.forDriver(c.spark());
      output = c.output();
    } else {
      if (!overrides.isEmpty()) {
        throw new IllegalArgumentException("--set needs --config");
      }
      output = where.root;
    }
    System.out.println("report: " + RunReport.write(hadoop, new OutputRoot(output)));
    return 0;
  }
}
