package org.bratscv.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of the driver's progress view: task reports, their merging and the log lines. */
class ProgressTest {

  /** Task {@code label} resumed after 2 of 10 epochs, then 2 epochs and 2 of 4 steps in 50 s. */
  private static TaskProgress midway(String label) {
    return TaskProgress.started(label, 2, 10)
        .epochEnded(2, 20)
        .epochEnded(3, 40)
        .step(1, 4, 0.5, 50);
  }

  @Test
  void durationsReadAsSecondsMinutesOrHours() {
    assertEquals("42s", Progress.formatSeconds(41.6));
    assertEquals("3m07s", Progress.formatSeconds(187));
    assertEquals("2h05m", Progress.formatSeconds(2 * 3600 + 5 * 60 + 59));
  }

  @Test
  void slowRatesAreShownPerMinuteOrPerHour() {
    assertEquals("2.50 /s", Progress.formatRate(2.5));
    assertEquals("1.20 /min", Progress.formatRate(0.02));
    assertEquals("3.60 /h", Progress.formatRate(0.001));
    assertEquals("0.00 /s", Progress.formatRate(0));
  }

  @Test
  void aTasksEtaCountsOnlyTheEpochsThisAttemptWorked() {
    TaskProgress p = midway("baseline/A/fold0");
    assertEquals(4, p.epochsDone());
    assertEquals(2, p.stepsDone());
    assertEquals(4.5, p.epochs(), 1e-12);
    // 2.5 epochs worked in 50 s: 20 s each, 5.5 epochs left
    assertEquals(20, p.secondsPerEpoch(), 1e-12);
    assertEquals(110, p.etaSeconds(), 1e-9);
    assertEquals(
        "baseline/A/fold0: 4/10 epochs + 2/4 steps, loss 0.5000, 20.0 s/epoch, ETA 1m50s",
        p.describe());
    assertEquals(
        "baseline/A/fold0: 2/10 epochs, ETA -",
        TaskProgress.started("baseline/A/fold0", 2, 10).describe());
  }

  @Test
  void theAccumulatorKeepsPerTaskTheReportFurthestIntoItsWork() {
    TaskProgressAccumulator driver = new TaskProgressAccumulator();
    assertTrue(driver.isZero());
    TaskProgressAccumulator taskA = driver.copy();
    taskA.add(TaskProgress.started("a", 0, 10));
    taskA.add(midway("a"));
    TaskProgressAccumulator staleA = driver.copy();
    staleA.add(TaskProgress.started("a", 2, 10));
    TaskProgressAccumulator taskB = driver.copy();
    taskB.add(TaskProgress.started("b", 10, 10));
    driver.merge(taskA);
    driver.merge(staleA);
    driver.merge(taskB);
    assertEquals(Map.of("a", midway("a"), "b", TaskProgress.started("b", 10, 10)), driver.value());
    assertFalse(driver.isZero());
    assertTrue(driver.copyAndReset().isZero());
  }

  @Test
  void runningTasksCountFromHeartbeatsAndFinishedTasksOnce() {
    ProgressTracker t = new ProgressTracker();
    TaskProgress a = midway("a");
    TaskProgress b = TaskProgress.started("b", 0, 10).step(0, 4, 0.9, 5);
    t.running(1, 4L, Map.of("a", a));
    t.running(2, 0L, Map.of("b", b));
    Progress.Snapshot s = t.snapshot("train: epochs", 20, 0, Map.of(), 100);
    // 4 epochs of a, 0 of b, plus half an epoch of a and a quarter of b under way
    assertEquals(4.75, s.done(), 1e-12);
    assertEquals(2, s.skipped());
    assertEquals(List.of(a, b), s.running());

    TaskProgress aDone = a.step(3, 4, 0.4, 60).epochEnded(4, 62);
    t.ended(1, true, 5L, Map.of("a", aDone));
    t.running(1, 4L, Map.of("a", a)); // a heartbeat sent before the end, arriving after it
    s = t.snapshot("train: epochs", 20, 5, Map.of("a", aDone), 100);
    assertEquals(5.25, s.done(), 1e-12);
    assertEquals(List.of(b), s.running());
    // the driver's value runs ahead of the listener: never counted twice
    s = t.snapshot("train: epochs", 20, 9, Map.of(), 100);
    assertEquals(9.25, s.done(), 1e-12);
  }

  @Test
  void aFailedTasksWorkIsDroppedUntilItsRetryReports() {
    ProgressTracker t = new ProgressTracker();
    t.running(7, 3L, Map.of("a", TaskProgress.started("a", 0, 10).epochEnded(2, 30)));
    t.ended(7, false, null, null);
    Progress.Snapshot s = t.snapshot("train: epochs", 10, 0, Map.of(), 40);
    assertEquals(0, s.done(), 1e-12);
    assertEquals(List.of(), s.running());
    t.running(8, 3L, Map.of("a", TaskProgress.started("a", 3, 10)));
    s = t.snapshot("train: epochs", 10, 0, Map.of(), 40);
    assertEquals(3, s.done(), 1e-12);
    assertEquals(3, s.skipped(), "resumed epochs took no time in this run");
    assertTrue(Double.isNaN(s.etaSeconds()));
  }

  @Test
  void theLogShowsTheTotalThenOneLinePerRunningTask() {
    Progress.Snapshot s =
        new Progress.Snapshot("train: epochs", 20, 6.5, 2, 90, List.of(midway("baseline/A/fold0")));
    // 4.5 epochs worked in 90 s: 3 per minute, 13.5 left
    assertEquals(
        List.of(
            "train: epochs: 6.5/20 done, 3.00 /min, elapsed 1m30s, ETA 4m30s, 1 running",
            "train: epochs: task baseline/A/fold0: 4/10 epochs + 2/4 steps, loss 0.5000,"
                + " 20.0 s/epoch, ETA 1m50s"),
        s.lines());
    assertEquals(
        List.of("infer test: cases: 12/40 done, 0.50 /s, elapsed 24s, ETA 56s"),
        new Progress.Snapshot("infer test: cases", 40, 12, 0, 24, List.of()).lines());
  }
}
