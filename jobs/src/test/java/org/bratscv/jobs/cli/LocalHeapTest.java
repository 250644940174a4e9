package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class LocalHeapTest {
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  @Test
  void theDemoOnTwoCoresGetsTheBaseAndEightCopiesOfItsSmallCasePerTask() {
    // 48x48x32 voxels x 4 channels x 4 bytes = 1,179,648 bytes per case copy;
    // 512 MiB + 2 tasks x 8 copies = 512 MiB + 18,874,368 bytes = 530 MiB (whole MiB, rounded up)
    assertEquals(
        List.of("-Xmx530m", "-Xms530m"),
        LocalHeap.heapOptions(List.of(), new String[] {"demo"}, 2, 24 * GIB));
    // --size 96x96x64 is 8x the voxels: 9,437,184 bytes a copy, 2 x 8 x 9 MiB = 144 MiB
    assertEquals(
        List.of("-Xmx656m", "-Xms656m"),
        LocalHeap.heapOptions(List.of(), new String[] {"demo", "--size", "96x96x64"}, 2, 24 * GIB));
    assertEquals(
        List.of("-Xmx656m", "-Xms656m"),
        LocalHeap.heapOptions(List.of(), new String[] {"demo", "--size=96x96x64"}, 2, 24 * GIB));
  }

  @Test
  void otherCommandsArePlannedForRawBratsCases() {
    // 240x240x155 x 16 bytes = 142,848,000 bytes a copy; 4 tasks x 8 copies = 4,571,136,000 bytes
    // = 4359.4 MiB, + 512 = 4872 MiB after rounding up
    assertEquals(
        4872 * MIB, LocalHeap.maxHeapBytes(LocalHeap.workSize(new String[] {"cv"}), 4, 64 * GIB));
    assertEquals(
        List.of("-Xmx4872m", "-Xms4872m"),
        LocalHeap.heapOptions(List.of("-Dx=1"), new String[] {"cv", "--config", "a"}, 4, 64 * GIB));
  }

  @Test
  void neverAboveTheJvmDefaultOfAQuarterOfTheMachine() {
    // 8 GiB machine: the default would be 2 GiB, below 512 MiB + 4 x 8 x 136 MiB
    assertEquals(2 * GIB, LocalHeap.maxHeapBytes(LocalHeap.BRATS, 4, 8 * GIB));
    // a tiny machine still gets the base
    assertEquals(512 * MIB, LocalHeap.maxHeapBytes(LocalHeap.BRATS, 4, GIB));
  }

  @Test
  void aHeapSizeOnTheCommandLineWinsAndNothingIsAdded() {
    for (String given :
        List.of(
            "-Xmx3g",
            "-Xms1g",
            "-XX:MaxHeapSize=1g",
            "-XX:InitialHeapSize=1g",
            "-XX:MaxRAMPercentage=50",
            "-XX:MaxRAM=8g")) {
      List<String> options = List.of("-Dfoo=bar", given);
      assertEquals(options, LocalHeap.withHeap(options, new String[] {"demo"}, 2, 24 * GIB));
    }
    assertEquals(
        List.of("-Dfoo=bar", "-Xmx530m", "-Xms530m"),
        LocalHeap.withHeap(List.of("-Dfoo=bar"), new String[] {"demo"}, 2, 24 * GIB));
  }

  @Test
  void aBadDemoSizeFallsBackToBratsAndLeavesTheErrorToTheCommand() {
    assertEquals(LocalHeap.BRATS, LocalHeap.workSize(new String[] {"demo", "--size", "big"}));
    assertEquals(new Dims(48, 48, 32), LocalHeap.workSize(new String[] {"demo"}));
    assertEquals(LocalHeap.BRATS, LocalHeap.workSize(new String[] {"cv", "--size", "8x8x8"}));
  }
}
