package org.bratscv.model.train;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads and augments the training samples of one epoch on a thread of its own, a bounded number
 * ahead of the training steps, so loading a case and drawing its patch overlap the step before.
 * Samples come out in exactly the order given, and each is what {@link SampleSource#trainingSample}
 * returns for its (case, epoch): a sample depends only on its seed, never on when it is drawn, so
 * prefetching changes no result.
 *
 * <p>A failure to load a case surfaces from {@link #next}, in the place of that case's sample, as
 * an {@link IOException} naming the case and epoch (the original failure is its cause); the thread
 * then stops. {@link #close} stops the thread wherever it is (the end of an epoch, or a training
 * step that failed) and waits for it.
 */
public final class SamplePrefetcher implements AutoCloseable {

  /** What the loading thread hands over: a sample, or the failure that stopped it. */
  private record Item(Sample sample, Throwable failure, String caseId) {}

  private final BlockingQueue<Item> queue;
  private final Thread thread;
  private final int total;
  private final int epoch;
  private int taken;
  private boolean failed;

  /**
   * Starts loading {@code cases} (in this order) for {@code epoch}.
   *
   * @param ahead how many samples may wait, ready, beyond the one being trained on (at least 1)
   */
  public SamplePrefetcher(
      SampleSource data, List<String> cases, int epoch, TrainingSeeds seeds, int ahead) {
    if (ahead < 1) {
      throw new IllegalArgumentException("prefetch depth must be >= 1, got " + ahead);
    }
    List<String> order = List.copyOf(cases);
    this.total = order.size();
    this.epoch = epoch;
    this.queue = new ArrayBlockingQueue<>(ahead);
    this.thread =
        new Thread(
            () -> load(data, order, epoch, seeds),
            "sample-prefetch-epoch" + epoch + "-" + Thread.currentThread().getName());
    thread.setDaemon(true);
    thread.start();
  }

  private void load(SampleSource data, List<String> order, int epoch, TrainingSeeds seeds) {
    for (String id : order) {
      Item item;
      try {
        item = new Item(data.trainingSample(id, epoch, seeds), null, id);
      } catch (Exception | Error e) {
        item = new Item(null, e, id);
      }
      try {
        queue.put(item);
      } catch (InterruptedException stopped) {
        return; // closed: nobody takes any more samples
      }
      if (item.failure() != null) {
        return;
      }
    }
  }

  /** The next sample in order; blocks until it is ready. */
  public Sample next() throws IOException {
    if (failed) {
      throw new IllegalStateException("the sample prefetcher stopped after a failure");
    }
    if (taken >= total) {
      throw new IllegalStateException("all " + total + " samples of the epoch were taken");
    }
    Item item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the next training sample", e);
    }
    taken++;
    if (item.failure() != null) {
      failed = true;
      Throwable f = item.failure();
      if (f instanceof Error error) {
        throw error;
      }
      String message = f.getMessage() == null ? f.toString() : f.getMessage();
      throw new IOException(
          "training sample of case " + item.caseId() + " (epoch " + epoch + "): " + message, f);
    }
    return item.sample();
  }

  /** Whether the loading thread is still running (for tests: it ends with the epoch or a close). */
  boolean loading() {
    return thread.isAlive();
  }

  /** Stops the loading thread and waits for it; samples not taken are dropped. */
  @Override
  public void close() {
    thread.interrupt();
    queue.clear(); // frees a blocked put at once
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
