package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
  @TempDir Path dir;

  private final Configuration conf = new Configuration();

  private OutputRoot root() {
    return new OutputRoot(dir.resolve("out").toString());
  }

  private Path lockFile() {
    return dir.resolve("out").resolve(RunLock.FILE_NAME);
  }

  private static String thisHost() {
    return RunLock.Holder.current("x").host();
  }

  /** A pid that belonged to a process of this host that has ended. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void theLockFileNamesThisRunAndIsRemovedOnRelease() throws IOException {
    Instant before = Instant.now().minusSeconds(1);
    try (RunLock lock = RunLock.acquire(conf, root(), "brats-cv cv --config a.yaml")) {
      RunLock.Holder h = RunLock.Holder.parse(Files.readString(lockFile()));
      assertEquals(thisHost(), h.host());
      assertEquals(ProcessHandle.current().pid(), h.pid());
      assertEquals(System.getProperty("user.name"), h.user());
      assertEquals("brats-cv cv --config a.yaml", h.command());
      assertTrue(h.since().isAfter(before) && !h.since().isAfter(Instant.now()), h.since() + "");
      assertEquals(h, lock.holder());
      assertTrue(lock.takenOverFrom().isEmpty());
    }
    assertFalse(Files.exists(lockFile()));
    // released: the root can be locked again
    RunLock.acquire(conf, root(), "brats-cv cv").close();
  }

  @Test
  void theLockFileNameIsAPlainNameThatTemporaryCleanupKeeps() throws IOException {
    assertEquals("brats-cv.lock", OutputRoot.checkPart(RunLock.FILE_NAME));
    try (RunLock lock = RunLock.acquire(conf, root(), "brats-cv cv")) {
      OutputRoot.removeTemporaries(root().fileSystem(conf), root().path(), true);
      assertTrue(Files.exists(lockFile()));
    }
  }

  @Test
  void aSecondAcquireIsRefusedWithTheHoldersDetails() throws IOException {
    try (RunLock first = RunLock.acquire(conf, root(), "brats-cv sweep --config night.yaml")) {
      RunLock.HeldException e =
          assertThrows(
              RunLock.HeldException.class, () -> RunLock.acquire(conf, root(), "brats-cv sweep"));
      assertEquals(first.holder(), e.holder().orElseThrow());
      String msg = e.getMessage();
      assertFalse(msg.contains("\n"), msg);
      assertTrue(msg.contains("brats-cv sweep --config night.yaml"), msg);
      assertTrue(msg.contains("host " + thisHost()), msg);
      assertTrue(msg.contains("pid " + ProcessHandle.current().pid()), msg);
      assertTrue(msg.contains("since " + first.holder().since()), msg);
      assertTrue(msg.contains(lockFile().toString()), msg);
      // the refused attempt left the holder's lock alone
      assertEquals(first.holder(), RunLock.Holder.parse(Files.readString(lockFile())));
    }
  }

  @Test
  void aStaleLockOfADeadProcessOnThisHostIsTakenOver() throws Exception {
    RunLock.Holder dead =
        new RunLock.Holder(
            thisHost(), deadPid(), "nightly", "brats-cv sweep", Instant.now().minusSeconds(3600));
    Files.createDirectories(lockFile().getParent());
    Files.writeString(lockFile(), dead.toJson());
    try (RunLock lock = RunLock.acquire(conf, root(), "brats-cv sweep --run-id b")) {
      assertEquals(dead, lock.takenOverFrom().orElseThrow());
      assertEquals(
          "brats-cv sweep --run-id b",
          RunLock.Holder.parse(Files.readString(lockFile())).command());
    }
    assertFalse(Files.exists(lockFile()));
  }

  @Test
  void aPidReusedByAYoungerProcessDoesNotKeepALockAlive() throws IOException {
    // this JVM is alive but started long after a lock "since 2000": the lock's holder is gone
    RunLock.Holder old =
        new RunLock.Holder(
            thisHost(),
            ProcessHandle.current().pid(),
            "nightly",
            "brats-cv cv",
            Instant.parse("2000-01-01T00:00:00Z"));
    assertFalse(RunLock.isAlive(old));
    Files.createDirectories(lockFile().getParent());
    Files.writeString(lockFile(), old.toJson());
    try (RunLock lock = RunLock.acquire(conf, root(), "brats-cv cv")) {
      assertEquals(old, lock.takenOverFrom().orElseThrow());
    }
  }

  @Test
  void aLockOfAnotherHostIsNeverTakenOver() throws Exception {
    RunLock.Holder foreign =
        new RunLock.Holder(
            "gpu-node-7.example.org", deadPid(), "nightly", "brats-cv sweep", Instant.now());
    Files.createDirectories(lockFile().getParent());
    Files.writeString(lockFile(), foreign.toJson());
    RunLock.HeldException e =
        assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(conf, root(), "cv"));
    assertEquals(foreign, e.holder().orElseThrow());
    assertTrue(e.getMessage().contains("host gpu-node-7.example.org"), e.getMessage());
    assertTrue(e.getMessage().contains("never taken over automatically"), e.getMessage());
    assertEquals(foreign, RunLock.Holder.parse(Files.readString(lockFile())));
  }

  @Test
  void anUnreadableLockFileIsRefusedNotOverwritten() throws IOException {
    Files.createDirectories(lockFile().getParent());
    Files.writeString(lockFile(), "{\"host\": \"half-writ");
    RunLock.HeldException e =
        assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(conf, root(), "cv"));
    assertTrue(e.holder().isEmpty());
    assertTrue(e.getMessage().contains("cannot be read as a brats-cv lock"), e.getMessage());
    assertEquals("{\"host\": \"half-writ", Files.readString(lockFile()));
  }

  @Test
  void theLockIsReleasedWhenTheRunThrows() {
    assertThrows(
        IllegalStateException.class,
        () -> {
          try (RunLock lock = RunLock.acquire(conf, root(), "brats-cv cv")) {
            throw new IllegalStateException("stage failed");
          }
        });
    assertFalse(Files.exists(lockFile()));
  }

  @Test
  void releaseLeavesALockThatAnotherRunTookOver() throws IOException {
    RunLock lock = RunLock.acquire(conf, root(), "brats-cv cv");
    RunLock.Holder other =
        new RunLock.Holder("other-host", 42, "someone", "brats-cv cv", Instant.now());
    Files.writeString(lockFile(), other.toJson());
    lock.close();
    assertEquals(other, RunLock.Holder.parse(Files.readString(lockFile())));
  }
}
