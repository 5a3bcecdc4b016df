package dev.jlava.kernel;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Where a heap float array's elements sit relative to 64-byte cache lines, so that a weight copied
 * into it can start on a line boundary.
 *
 * <p>Why: decode streams every weight once per token, and a 512-bit load that straddles two lines
 * costs two L1 accesses. A G1 array big enough to be "humongous" starts at a region boundary, so its
 * elements start 16 bytes (the array header) past a line: every load of a row then straddles.
 * Streaming the decoder's 2 GB of F32 weights on two threads, the same kernel read 45-53 GB/s from
 * rows at that offset and 57-65 GB/s from rows moved 48 bytes on (docs/performance.md, session 16).
 *
 * <p>Java has no API for an object's address; a downcall may pass a heap segment
 * ({@link Linker.Option#critical(boolean)}), and C's {@code memset} with a length of 0 writes
 * nothing and returns the pointer it was given. The answer holds while the array does not move:
 * G1 never moves humongous arrays (seen: the same address after {@code System.gc()}), while
 * smaller ones move when collected, which only costs them the alignment, never a result.
 * Without native access (or another C library), the pad is 0: the old layout.
 */
public final class HeapAlignment {
    private HeapAlignment() {}

    public static final int LINE = 64;

    private static final MethodHandle MEMSET = memset();

    private static MethodHandle memset() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("memset").map(f -> linker.downcallHandle(f,
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                    Linker.Option.critical(true))).orElse(null);
        } catch (RuntimeException e) { // IllegalCallerException without native access, UnsupportedOperationException on odd platforms
            return null;
        }
    }

    /** The address of the segment's first byte now (heap or native), or -1 when it cannot be learnt. */
    static long address(MemorySegment s) {
        if (MEMSET == null) return -1;
        try {
            return ((MemorySegment) MEMSET.invokeExact(s, 0, 0L)).address();
        } catch (Throwable e) {
            return -1;
        }
    }

    /** Elements to skip from a float at {@code address} to the next 64-byte boundary (0 for an unknown address, -1). */
    static int floatPad(long address) {
        if (address < 0 || address % Float.BYTES != 0) return 0;
        return (int) ((LINE - address % LINE) % LINE) / Float.BYTES;
    }

    /** Elements to skip in {@code a} so that the next one starts a cache line: 0 to 15. */
    public static int floatPad(float[] a) {
        return floatPad(address(MemorySegment.ofArray(a)));
    }
}
