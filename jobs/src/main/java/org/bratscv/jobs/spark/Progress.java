package org.bratscv.jobs.spark;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a long stage on the driver: tasks add to an accumulator as they finish units of work
 * (cases, epochs), and a driver thread logs {@code done/total, rate, ETA} every few seconds and at
 * the end. Spark's own console progress bar shows the task view beside it.
 */
public final class Progress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

  private final String what;
  private final long total;
  private final LongAccumulator done;
  private final long start = System.nanoTime();
  private final ScheduledExecutorService timer;
  private long lastLogged = -1;

  private Progress(SparkContext sc, String what, long total, long intervalSeconds) {
    this.what = what;
    this.total = total;
    this.done = sc.longAccumulator(what + " done");
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "brats-cv-progress");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleAtFixedRate(this::log, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
  }

  /** Starts reporting {@code total} units of {@code what} (e.g. "preprocess: cases"). */
  public static Progress start(SparkContext sc, String what, long total) {
    return new Progress(sc, what, total, 10);
  }

  /** The accumulator tasks add finished units to (it travels in task closures). */
  public LongAccumulator counter() {
    return done;
  }

  private synchronized void log() {
    long n = done.value();
    if (n == lastLogged) {
      return;
    }
    lastLogged = n;
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = n / Math.max(seconds, 1e-9);
    String eta = n == 0 || n >= total ? "-" : formatSeconds((total - n) / rate);
    LOG.info(
        "{}: {}/{} done, {} /s, elapsed {}, ETA {}",
        what,
        n,
        total,
        String.format("%.2f", rate),
        formatSeconds(seconds),
        eta);
  }

  static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600
        ? String.format("%dh%02dm", t / 3600, (t % 3600) / 60)
        : t >= 60 ? String.format("%dm%02ds", t / 60, t % 60) : t + "s";
  }

  @Override
  public void close() {
    timer.shutdownNow();
    log();
  }
}
