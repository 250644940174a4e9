package org.bratscv.data.folds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KFoldTest {
  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      ids.add(String.format("BraTS20_Training_%03d", i));
    }
    return ids;
  }

  @Test
  void foldsPartitionTheCasesWithSizesDifferingByAtMostOne() {
    List<String> all = ids(23);
    FoldSplit split = KFold.split(all, 5, 16111990);
    assertEquals(5, split.k());
    Set<String> seen = new HashSet<>();
    List<Integer> sizes = new ArrayList<>();
    for (Fold f : split.folds()) {
      sizes.add(f.val().size());
      for (String id : f.val()) {
        assertTrue(seen.add(id), id + " in two val sets");
      }
      Set<String> union = new HashSet<>(f.train());
      union.addAll(f.val());
      assertEquals(new HashSet<>(all), union);
      assertEquals(23, f.train().size() + f.val().size());
    }
    assertEquals(new HashSet<>(all), seen);
    assertEquals(List.of(5, 5, 5, 4, 4), sizes);
    assertEquals(all, split.caseIds());
  }

  @Test
  void splitDependsOnTheSeedButNotOnListingOrder() {
    List<String> all = ids(40);
    FoldSplit a = KFold.split(all, 5, 42);
    List<String> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(7));
    assertEquals(a, KFold.split(shuffled, 5, 42));
    assertEquals(a, KFold.split(all, 5, 42));
    assertNotEquals(a, KFold.split(all, 5, 43));
  }

  @Test
  void splitOfAFixedSeedIsPinned() {
    // Pinned so that a change to the shuffle or the seed mix cannot go unnoticed: a run records
    // only its seed.
    FoldSplit s = KFold.split(List.of("a", "b", "c", "d", "e", "f"), 3, 1);
    assertEquals(
        s.fold(0).val(), KFold.split(List.of("f", "e", "d", "c", "b", "a"), 3, 1).fold(0).val());
    assertEquals(s.folds().size(), 3);
    List<String> dealt = new ArrayList<>();
    for (Fold f : s.folds()) {
      assertEquals(2, f.val().size());
      dealt.addAll(f.val());
    }
    assertEquals(PINNED_VAL_ORDER, dealt);
  }

  // Val sets (each sorted) of KFold.split([a..f], 3, seed 1), folds 0, 1, 2, as computed
  // independently by bench/seeds_reference.py (a Python re-implementation of the seed mix and of
  // SplittableRandom's nextInt).
  private static final List<String> PINNED_VAL_ORDER = List.of("a", "c", "b", "e", "d", "f");

  @Test
  void foldOfFindsTheValFold() {
    FoldSplit s = KFold.split(ids(10), 5, 3);
    for (Fold f : s.folds()) {
      for (String id : f.val()) {
        assertEquals(f.fold(), s.foldOf(id));
      }
    }
    assertThrows(IllegalArgumentException.class, () -> s.foldOf("nope"));
  }

  @Test
  void duplicateIdsAndTooFewCasesAreRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> KFold.split(List.of("a", "b", "a"), 2, 1));
    assertTrue(e.getMessage().contains("a is listed twice"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KFold.split(ids(4), 5, 1));
    assertThrows(IllegalArgumentException.class, () -> KFold.split(ids(4), 1, 1));
  }
}
