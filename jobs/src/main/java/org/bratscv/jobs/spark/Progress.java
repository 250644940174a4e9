package org.bratscv.jobs.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Progress of a long stage on the driver. Tasks add finished units of work (cases, epochs) to
 * {@link #counter()}, and training tasks report epoch, step and loss to {@link #tasks()}. A
 * driver's accumulator value changes only when a task ends, but executors send running tasks'
 * accumulator values with every heartbeat ({@code spark.executor.heartbeatInterval}, 10 s by
 * default) to {@link SparkListener#onExecutorMetricsUpdate}: this class listens to them, so every
 * {@value #LOG_SECONDS} s it logs units done of running and finished tasks together with rate and
 * ETA, and one line per running training task. Spark's own console progress bar shows the task view
 * beside it.
 */
public final class Progress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
  static final long LOG_SECONDS = 10;

  private final SparkContext sc;
  private final String what;
  private final long total;
  private final LongAccumulator done;
  private final TaskProgressAccumulator tasks;
  private final ProgressTracker tracker = new ProgressTracker();
  private final SparkListener listener;
  private final long start = System.nanoTime();
  private final ScheduledExecutorService timer;
  private Snapshot lastLogged;

  /**
   * The stage at one moment.
   *
   * @param what the stage and its unit, e.g. {@code train: epochs}
   * @param total units of the stage
   * @param done units done, running tasks' finished units and training steps included
   * @param skipped units found done when their task started (resumed epochs, finished models): they
   *     took no time in this run
   * @param elapsedSeconds since the stage started
   * @param running the latest report of each running training task, by label
   */
  public record Snapshot(
      String what,
      long total,
      double done,
      long skipped,
      double elapsedSeconds,
      List<TaskProgress> running) {

    /** Units per second this run worked at, skipped units left out. */
    public double rate() {
      return Math.max(0, done - skipped) / Math.max(elapsedSeconds, 1e-9);
    }

    /** Seconds left at {@link #rate()}; NaN while nothing was worked or when all is done. */
    public double etaSeconds() {
      double r = rate();
      return r <= 0 || done >= total ? Double.NaN : (total - done) / r;
    }

    /**
     * The log lines: {@code train: epochs: 3.4/10 done, 2.50 /min, elapsed 1m05s, ETA 2m07s, 2
     * running}, then {@code train: epochs: task baseline/A/fold0: 2/5 epochs + 3/8 steps, ...} per
     * running task.
     */
    public List<String> lines() {
      double eta = etaSeconds();
      String count =
          done == Math.rint(done)
              ? String.valueOf((long) done)
              : String.format(Locale.ROOT, "%.1f", done);
      List<String> out = new ArrayList<>();
      out.add(
          what
              + ": "
              + count
              + "/"
              + total
              + " done, "
              + formatRate(rate())
              + ", elapsed "
              + formatSeconds(elapsedSeconds)
              + ", ETA "
              + (Double.isNaN(eta) ? "-" : formatSeconds(eta))
              + (running.isEmpty() ? "" : ", " + running.size() + " running"));
      for (TaskProgress p : running) {
        out.add(what + ": task " + p.describe());
      }
      return out;
    }

    /** Whether {@code other} shows the same work (elapsed time aside). */
    boolean sameWorkAs(Snapshot other) {
      return other != null && done == other.done && running.equals(other.running);
    }
  }

  private Progress(SparkContext sc, String what, long total, long intervalSeconds) {
    this.sc = sc;
    this.what = what;
    this.total = total;
    this.done = sc.longAccumulator(what + " done");
    this.tasks = new TaskProgressAccumulator();
    sc.register(tasks, what + " tasks");
    this.listener = new HeartbeatListener();
    sc.addSparkListener(listener);
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
    return new Progress(sc, what, total, LOG_SECONDS);
  }

  /** The accumulator tasks add finished units to (it travels in task closures). */
  public LongAccumulator counter() {
    return done;
  }

  /** The accumulator training tasks report their {@link TaskProgress} to, after every step. */
  public TaskProgressAccumulator tasks() {
    return tasks;
  }

  /** The stage now, as the latest heartbeats and task ends tell. */
  public Snapshot snapshot() {
    return tracker.snapshot(
        what, total, done.value(), tasks.value(), (System.nanoTime() - start) / 1e9);
  }

  private synchronized void log() {
    Snapshot s = snapshot();
    if (s.sameWorkAs(lastLogged)) {
      return;
    }
    lastLogged = s;
    s.lines().forEach(LOG::info);
  }

  /** {@code 42s}, {@code 3m07s}, {@code 2h05m}. */
  static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, (t % 3600) / 60)
        : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : t + "s";
  }

  /** Units per second, minute or hour, whichever shows it with two decimals. */
  static String formatRate(double perSecond) {
    if (perSecond >= 0.1 || perSecond == 0) {
      return String.format(Locale.ROOT, "%.2f /s", perSecond);
    }
    if (perSecond * 60 >= 0.1) {
      return String.format(Locale.ROOT, "%.2f /min", perSecond * 60);
    }
    return String.format(Locale.ROOT, "%.2f /h", perSecond * 3600);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    sc.removeSparkListener(listener);
    Snapshot s = snapshot();
    // the job has ended: what the tracker still holds as running is a late heartbeat
    Snapshot last =
        new Snapshot(s.what(), s.total(), s.done(), s.skipped(), s.elapsedSeconds(), List.of());
    synchronized (this) {
      if (!last.sameWorkAs(lastLogged)) {
        LOG.info(last.lines().get(0));
      }
    }
  }

  /** Feeds the tracker with this stage's accumulator values from heartbeats and task ends. */
  private final class HeartbeatListener extends SparkListener {
    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate e) {
      for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> u :
          CollectionConverters.asJava(e.accumUpdates())) {
        long taskId = (Long) u._1();
        Values v = values(u._4());
        if (v.units != null || v.progress != null) {
          tracker.running(taskId, v.units, v.progress);
        }
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      Values v = values(e.taskInfo().accumulables());
      tracker.ended(e.taskInfo().taskId(), e.taskInfo().successful(), v.units, v.progress);
    }
  }

  private record Values(Long units, Map<String, TaskProgress> progress) {}

  /** The updates of this stage's two accumulators among a task's (null where absent). */
  @SuppressWarnings("unchecked")
  private Values values(Seq<AccumulableInfo> infos) {
    Long units = null;
    Map<String, TaskProgress> progress = null;
    for (AccumulableInfo a : CollectionConverters.asJava(infos)) {
      if (a.update().isEmpty()) {
        continue;
      }
      Object update = a.update().get();
      if (a.id() == done.id() && update instanceof Long n) {
        units = n;
      } else if (a.id() == tasks.id() && update instanceof Map<?, ?> m) {
        progress = (Map<String, TaskProgress>) m;
      }
    }
    return new Values(units, progress);
  }
}
