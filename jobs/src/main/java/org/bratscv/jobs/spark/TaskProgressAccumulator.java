package org.bratscv.jobs.spark;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.util.AccumulatorV2;

/**
 * The {@link TaskProgress} of training tasks, by task label. A task adds its progress after every
 * optimizer step; Spark ships the task's copy with each executor heartbeat (its {@link #value()}
 * becomes the heartbeat's accumulator update) and merges it into the driver's copy when the task
 * ends, keeping per label the report furthest into the task's work.
 *
 * <p>The heartbeat thread serializes (or, in local mode, reads) the copy while the task adds to it,
 * so the state is one immutable map behind a volatile reference.
 */
public final class TaskProgressAccumulator
    extends AccumulatorV2<TaskProgress, Map<String, TaskProgress>> {
  private static final long serialVersionUID = 1L;

  private volatile Map<String, TaskProgress> byLabel = Map.of();

  @Override
  public boolean isZero() {
    return byLabel.isEmpty();
  }

  @Override
  public TaskProgressAccumulator copy() {
    TaskProgressAccumulator c = new TaskProgressAccumulator();
    c.byLabel = byLabel;
    return c;
  }

  @Override
  public void reset() {
    byLabel = Map.of();
  }

  /** Replaces the task's earlier report: within one attempt every report is the latest. */
  @Override
  public synchronized void add(TaskProgress p) {
    Map<String, TaskProgress> next = new HashMap<>(byLabel);
    next.put(p.label(), p);
    byLabel = Map.copyOf(next);
  }

  @Override
  public synchronized void merge(AccumulatorV2<TaskProgress, Map<String, TaskProgress>> other) {
    byLabel = furthest(byLabel, other.value());
  }

  @Override
  public Map<String, TaskProgress> value() {
    return byLabel;
  }

  /** Per label the report furthest into the task's work, from either map. */
  static Map<String, TaskProgress> furthest(
      Map<String, TaskProgress> a, Map<String, TaskProgress> b) {
    Map<String, TaskProgress> out = new HashMap<>(a);
    b.forEach((label, p) -> out.merge(label, p, (x, y) -> y.isAheadOf(x) ? y : x));
    return Map.copyOf(out);
  }
}
