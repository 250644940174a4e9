package org.bratscv.model.engine;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Hands the memory that libtorch has freed back to the operating system, through whichever
 * allocator the process runs ({@link EngineEnvironment} preloads tcmalloc where it is installed).
 *
 * <ul>
 *   <li>glibc keeps freed blocks in per-thread arenas (one per Spark task thread that ran tensors),
 *       and its trim threshold rises with every large free, so after a case or an epoch a JVM holds
 *       freed tensors as resident memory although no tensor is alive. {@code malloc_trim(0)}
 *       returns the free pages of every arena.
 *   <li>tcmalloc (preloaded) returns freed spans to the system gradually by itself, and glibc's
 *       arenas are empty there, so nothing is done. Forcing tcmalloc's full release after every
 *       case and epoch ({@code MallocExtension_ReleaseFreeMemory}) made the demo re-fault what it
 *       gave back: 22.1 M minor faults and 457 s against 16.0 M and 383 s without it, at the same
 *       peak (1.03 against 1.09 GB).
 * </ul>
 *
 * Called after each inferred case and after each trained fold (not between epochs: a fold needs the
 * same activations every epoch, and the pages handed back were faulted in again at the next step),
 * it costs milliseconds. A no-op off Linux.
 */
public final class NativeHeap {
  private interface CLibrary extends Library {
    int malloc_trim(long pad);
  }

  private static final boolean TCMALLOC =
      processFunction("MallocExtension_ReleaseFreeMemory") != null;
  private static final CLibrary LIBC = TCMALLOC ? null : loadLibc();

  private NativeHeap() {}

  private static Function processFunction(String name) {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return NativeLibrary.getProcess().getFunction(name);
    } catch (UnsatisfiedLinkError e) {
      return null; // not preloaded: glibc's malloc serves the process
    }
  }

  private static CLibrary loadLibc() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return Native.load("c", CLibrary.class);
    } catch (UnsatisfiedLinkError e) {
      return null; // musl and other C libraries without malloc_trim
    }
  }

  /** True when tcmalloc (preloaded) is the process's allocator. */
  public static boolean tcmalloc() {
    return TCMALLOC;
  }

  /**
   * Returns glibc's freed native memory to the system; true when it released some (false under
   * tcmalloc, which returns memory itself, and off glibc).
   */
  public static boolean trim() {
    try {
      return LIBC != null && LIBC.malloc_trim(0) == 1;
    } catch (UnsatisfiedLinkError e) {
      return false;
    }
  }
}
