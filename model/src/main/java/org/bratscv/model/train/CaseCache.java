package org.bratscv.model.train;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bratscv.data.preprocess.PreparedCase;

/**
 * The prepared cases a training task keeps in memory between epochs, bounded by the bytes their
 * voxels take ({@link PreparedCase#voxelBytes}), not by a count: BraTS cases differ in size by the
 * brain's box and one case can be 50 times a phantom. The least recently used cases go first; a
 * case larger than the whole budget is read and used but never kept. Thread-safe (the prefetching
 * thread loads while validation of the previous epoch may have used it).
 */
public final class CaseCache implements PreparedCaseSamples.CaseLoader {

  private final PreparedCaseSamples.CaseLoader source;
  private final long budgetBytes;
  private final LinkedHashMap<String, PreparedCase> cases = new LinkedHashMap<>(16, 0.75f, true);
  private long heldBytes;

  /**
   * @param source where cases not held are read from
   * @param budgetBytes the most bytes of voxels held at once (0 keeps nothing)
   */
  public CaseCache(PreparedCaseSamples.CaseLoader source, long budgetBytes) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException(
          "case cache budget must be >= 0 bytes, got " + budgetBytes);
    }
    this.source = source;
    this.budgetBytes = budgetBytes;
  }

  @Override
  public PreparedCase load(String caseId) throws IOException {
    synchronized (this) {
      PreparedCase held = cases.get(caseId);
      if (held != null) {
        return held;
      }
    }
    // read outside the lock: a slow read never holds up a hit
    PreparedCase c = source.load(caseId);
    long bytes = c.voxelBytes();
    synchronized (this) {
      if (bytes > budgetBytes || cases.containsKey(caseId)) {
        return c;
      }
      Iterator<Map.Entry<String, PreparedCase>> eldest = cases.entrySet().iterator();
      while (heldBytes + bytes > budgetBytes && eldest.hasNext()) {
        heldBytes -= eldest.next().getValue().voxelBytes();
        eldest.remove();
      }
      cases.put(caseId, c);
      heldBytes += bytes;
    }
    return c;
  }

  /** The ids held, least recently used first. */
  public synchronized java.util.List<String> heldCaseIds() {
    return java.util.List.copyOf(cases.keySet());
  }

  /** The bytes of voxels held now (never above the budget). */
  public synchronized long heldBytes() {
    return heldBytes;
  }
}
