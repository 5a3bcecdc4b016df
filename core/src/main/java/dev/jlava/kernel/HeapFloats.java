package dev.jlava.kernel;

import java.lang.foreign.MemorySegment;

/**
 * A weight's floats in a heap array: {@code length} of them from {@code offset}, which puts the
 * first on a cache-line boundary where that could be arranged ({@link HeapAlignment}).
 */
record HeapFloats(float[] array, int offset, int length) {
    HeapFloats {
        if (offset < 0 || length < 0 || (long) offset + length > array.length) {
            throw new IllegalArgumentException("floats [" + offset + ", " + offset + " + " + length + ") outside an array of " + array.length);
        }
    }

    /** The floats as a segment (for the GEMM's panel packing). */
    MemorySegment segment() {
        return MemorySegment.ofArray(array).asSlice(4L * offset, 4L * length);
    }

    /** A copy of the floats, for tests and inspection. */
    float[] toArray() {
        return java.util.Arrays.copyOfRange(array, offset, offset + length);
    }
}
