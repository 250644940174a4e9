package org.bratscv.model.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Hands the memory that libtorch has freed back to the operating system. glibc keeps freed blocks
 * in per-thread arenas (one per Spark task thread that ran tensors), and its trim threshold rises
 * with every large free, so after a case or an epoch a JVM holds gigabytes of freed tensors as
 * resident memory although no tensor is alive. {@code malloc_trim(0)} returns the free pages of
 * every arena; called between cases and epochs it costs milliseconds. A no-op off glibc.
 */
public final class NativeHeap {
  private interface CLibrary extends Library {
    int malloc_trim(long pad);
  }

  private static final CLibrary LIBC = load();

  private NativeHeap() {}

  private static CLibrary load() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return Native.load("c", CLibrary.class);
    } catch (UnsatisfiedLinkError e) {
      return null; // musl and other C libraries without malloc_trim
    }
  }

  /** Returns freed native memory to the system; true when the C library released some. */
  public static boolean trim() {
    if (LIBC == null) {
      return false;
    }
    try {
      return LIBC.malloc_trim(0) == 1;
    } catch (UnsatisfiedLinkError e) {
      return false;
    }
  }
}
