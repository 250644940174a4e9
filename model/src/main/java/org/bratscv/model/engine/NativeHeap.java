package org.bratscv.model.engine;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.ptr.LongByReference;
import java.util.OptionalLong;

/**
 * Hands the memory that libtorch has freed back to the operating system, through whichever
 * allocator the process runs ({@link EngineEnvironment} preloads tcmalloc where it is installed).
 *
 * <ul>
 *   <li>glibc keeps freed blocks in per-thread arenas (one per Spark task thread that ran tensors),
 *       and its trim threshold rises with every large free, so after a case or an epoch a JVM holds
 *       freed tensors as resident memory although no tensor is alive. {@code malloc_trim(0)}
 *       returns the free pages of every arena.
 *   <li>tcmalloc keeps freed spans in its page heap and returns them gradually; {@code
 *       MallocExtension_ReleaseFreeMemory()} returns them all at once. glibc's {@code malloc_trim}
 *       would find nothing to trim there: its own arenas are empty.
 * </ul>
 *
 * Called between cases and epochs it costs milliseconds. A no-op off Linux.
 */
public final class NativeHeap {
  private interface CLibrary extends Library {
    int malloc_trim(long pad);
  }

  private static final Function TCMALLOC_RELEASE =
      processFunction("MallocExtension_ReleaseFreeMemory");
  private static final Function TCMALLOC_PROPERTY =
      processFunction("MallocExtension_GetNumericProperty");
  private static final CLibrary LIBC = TCMALLOC_RELEASE == null ? loadLibc() : null;

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
    return TCMALLOC_RELEASE != null;
  }

  /**
   * Returns freed native memory to the system; true when the allocator released some (glibc's
   * report) or was asked to release all it holds free (tcmalloc, which reports nothing).
   */
  public static boolean trim() {
    try {
      if (TCMALLOC_RELEASE != null) {
        TCMALLOC_RELEASE.invokeVoid(new Object[0]);
        return true;
      }
      return LIBC != null && LIBC.malloc_trim(0) == 1;
    } catch (UnsatisfiedLinkError e) {
      return false;
    }
  }

  /**
   * One of tcmalloc's numeric properties (e.g. {@code tcmalloc.pageheap_free_bytes}); empty when
   * tcmalloc is not the allocator or does not know the name.
   */
  public static OptionalLong tcmallocProperty(String name) {
    if (TCMALLOC_PROPERTY == null) {
      return OptionalLong.empty();
    }
    LongByReference value = new LongByReference();
    int known = TCMALLOC_PROPERTY.invokeInt(new Object[] {name, value});
    return known != 0 ? OptionalLong.of(value.getValue()) : OptionalLong.empty();
  }
}
