package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteBoundedLruTest {
  private final List<String> evicted = new ArrayList<>();

  /** Values are strings whose length is their size in bytes. */
  private ByteBoundedLru<String, String> cache(long budget) {
    return new ByteBoundedLru<>(budget, String::length, evicted::add);
  }

  @Test
  void evictsTheLeastRecentlyUsedValuesOncePastTheBudgetInBytesNotCount() {
    ByteBoundedLru<String, String> c = cache(10);
    c.put("a", "aaaa"); // 4
    c.put("b", "bbbb"); // 8
    assertEquals("aaaa", c.get("a")); // a is now the most recent
    c.put("c", "cc"); // 10: at the budget, nothing goes
    assertEquals(List.of(), evicted);
    assertEquals(10, c.bytes());
    c.put("d", "ddd"); // 13: b (oldest) goes -> 9
    assertEquals(List.of("bbbb"), evicted);
    assertNull(c.get("b"));
    assertEquals(9, c.bytes());
    assertEquals(3, c.size());
    // many small values fit where one large one would not
    ByteBoundedLru<String, String> small = cache(10);
    for (int i = 0; i < 10; i++) {
      small.put("k" + i, "x");
    }
    assertEquals(10, small.size());
  }

  @Test
  void aValueAloneOverTheBudgetIsKeptAndEvictsEverythingElse() {
    ByteBoundedLru<String, String> c = cache(5);
    c.put("a", "aa");
    c.put("b", "bb");
    c.put("big", "0123456789");
    assertEquals(List.of("aa", "bb"), evicted);
    assertSame("0123456789", c.get("big"));
    assertEquals(10, c.bytes());
    c.put("c", "c"); // the big one is now the oldest: it goes
    assertEquals(List.of("aa", "bb", "0123456789"), evicted);
    assertEquals(1, c.bytes());
  }

  @Test
  void replacingAKeyFreesTheOldValueAndRecountsItsBytes() {
    ByteBoundedLru<String, String> c = cache(100);
    c.put("a", "aaaa");
    c.put("a", "aa");
    assertEquals(List.of("aaaa"), evicted);
    assertEquals(2, c.bytes());
    assertEquals(1, c.size());
  }

  @Test
  void aBudgetMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> cache(0));
  }
}
