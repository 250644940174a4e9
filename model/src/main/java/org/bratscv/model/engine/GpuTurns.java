package org.bratscv.model.engine;

import ai.djl.Device;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One training at a time per GPU in a JVM. On a workstation in Spark local mode every fold's task
 * runs in the driver's JVM; with {@code compute.device} set to a GPU they would all load the one
 * card at once and run out of its memory, so each takes its turn: the folds train one after another
 * on the GPU (while preprocessing and the CPU tasks still run in parallel). On a GPU cluster Spark
 * gives each training task its own GPU, and the turn is never waited for.
 */
public final class GpuTurns {
  private static final ConcurrentHashMap<Integer, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private GpuTurns() {}

  /** A held turn; closing it lets the next task use the GPU. */
  public interface Turn extends AutoCloseable {
    @Override
    void close();
  }

  /** Waits for {@code device}'s turn (at once for the CPU, which needs none). */
  public static Turn take(Device device) {
    if (!device.isGpu()) {
      return () -> {};
    }
    ReentrantLock lock = LOCKS.computeIfAbsent(device.getDeviceId(), k -> new ReentrantLock(true));
    lock.lock();
    return lock::unlock;
  }

  /** Whether some thread waits for {@code device}'s turn now. */
  static boolean hasWaiters(Device device) {
    ReentrantLock lock = LOCKS.get(device.getDeviceId());
    return lock != null && lock.hasQueuedThreads();
  }

  /** Whether some thread holds {@code device}'s turn now. */
  static boolean isTaken(Device device) {
    ReentrantLock lock = LOCKS.get(device.getDeviceId());
    return lock != null && lock.isLocked();
  }
}
