package org.bratscv.jobs.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the driver has heard of one stage's tasks: the units (cases, epochs) and {@link
 * TaskProgress} each running task reported in its latest executor heartbeat, and those of the tasks
 * that ended. Pure bookkeeping, fed by {@link Progress}'s Spark listener; a running task's numbers
 * leave with its end, so nothing counts twice.
 */
final class ProgressTracker {
  private long finishedUnits;
  private final Map<String, TaskProgress> finished = new HashMap<>();
  private final Map<Long, Long> runningUnits = new HashMap<>();
  private final Map<Long, Map<String, TaskProgress>> running = new HashMap<>();
  // a heartbeat sent just before a task ended can arrive after its end: ignore it
  private final Set<Long> ended = new HashSet<>();

  /** A heartbeat of running task {@code taskId}: its task-local values so far (null: none). */
  synchronized void running(long taskId, Long units, Map<String, TaskProgress> progress) {
    if (ended.contains(taskId)) {
      return;
    }
    if (units != null) {
      runningUnits.put(taskId, units);
    }
    if (progress != null) {
      running.put(taskId, progress);
    }
  }

  /**
   * Task {@code taskId} ended with these final values (null: none). Values of a failed task are
   * dropped, as Spark drops them from the accumulators: its retry reports again.
   */
  synchronized void ended(
      long taskId, boolean successful, Long units, Map<String, TaskProgress> progress) {
    boolean known = runningUnits.remove(taskId) != null | running.remove(taskId) != null;
    if (known || units != null || progress != null) {
      ended.add(taskId);
    }
    if (!successful) {
      return;
    }
    if (units != null) {
      finishedUnits += units;
    }
    if (progress != null) {
      finished.putAll(TaskProgressAccumulator.furthest(finished, progress));
    }
  }

  /**
   * The stage now. {@code driverUnits} and {@code driverProgress} are the driver's accumulator
   * values: listener events arrive after Spark merged a finished task into them, so they may be
   * ahead of this tracker (never behind it in finished work).
   */
  synchronized Progress.Snapshot snapshot(
      String what,
      long total,
      long driverUnits,
      Map<String, TaskProgress> driverProgress,
      double elapsedSeconds) {
    long units = finishedUnits;
    for (long u : runningUnits.values()) {
      units += u;
    }
    units = Math.max(units, driverUnits);
    Map<String, TaskProgress> done = TaskProgressAccumulator.furthest(finished, driverProgress);
    Map<String, TaskProgress> now = new HashMap<>(done);
    List<TaskProgress> runningNow = new ArrayList<>();
    double partial = 0;
    for (Map<String, TaskProgress> m : running.values()) {
      for (TaskProgress p : m.values()) {
        if (!done.containsKey(p.label())) {
          runningNow.add(p);
          partial += p.partialEpoch();
          now.merge(p.label(), p, (x, y) -> y.isAheadOf(x) ? y : x);
        }
      }
    }
    runningNow.sort(Comparator.comparing(TaskProgress::label));
    long skipped = 0;
    for (TaskProgress p : now.values()) {
      skipped += p.startEpochs();
    }
    return new Progress.Snapshot(
        what,
        total,
        Math.min(total, units + partial),
        skipped,
        elapsedSeconds,
        List.copyOf(runningNow));
  }
}
