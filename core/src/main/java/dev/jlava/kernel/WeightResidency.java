package dev.jlava.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Where F32, F16 and BF16 weights live while the model runs: copied at load into the process's
 * own memory ({@link #COPY}, the default; llama.cpp's {@code --no-mmap}; F32 into heap arrays
 * within the heap budget, the rest native), or read in place
 * from the checkpoint's file mapping ({@link #MAPPED}). Q8_0 and Q4_0 weights are always re-laid
 * into native memory ({@link RowPairs}), so this does not apply to them.
 *
 * <p>Why copy by default: decode streams every weight once per token, and on the benchmark
 * machines (Firecracker VMs) the page-cache pages behind a mapping stream slower than fresh
 * anonymous memory more often than not. Qwen2-0.5B F32 decode, alternated runs: session 12, 30-45 %
 * faster from copies in one hour, the same or slightly slower an hour later; session 14, 1.14-1.75x
 * faster from copies in six of six pairs, and the same again in its last hour (docs/performance.md). The copy costs a second of load per few GB and private memory in place
 * of shared page cache, which the kernel can drop; {@code --mmap} keeps the mapping for models
 * that do not fit twice or for several processes sharing one file. The system property
 * {@code jlava.weights=copy|mapped} sets the default.
 */
public enum WeightResidency {
    /** Read in place from the checkpoint's memory-mapped file. */
    MAPPED,
    /**
     * Copied at load: F32 weights into heap arrays while the heap budget holds them ({@link #heapCopy}),
     * the rest into 64-byte-aligned native memory; freed when the weight is unreachable.
     */
    COPY;

    private static volatile WeightResidency current = configured();

    /** The default: {@code -Djlava.weights}, else {@link #COPY}. */
    public static WeightResidency configured() {
        return fromProperty(System.getProperty("jlava.weights", "copy"));
    }

    static WeightResidency fromProperty(String v) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "copy" -> COPY;
            case "mapped", "mmap" -> MAPPED;
            default -> throw new IllegalArgumentException("-Djlava.weights must be copy or mapped, is '" + v + "'");
        };
    }

    /** The residency for weights loaded from now on. */
    public static WeightResidency current() {
        return current;
    }

    /** Sets the residency for weights loaded from now on (weights already loaded keep theirs). */
    public static void set(WeightResidency r) {
        current = java.util.Objects.requireNonNull(r);
    }

    /**
     * For {@link #COPY}: an F32 weight copied into a heap array, which decode's GEMV streams faster
     * than native memory ({@link Gemv#f32(float[], int, int, int, int, float[], float[], int)}),
     * while the heap budget ({@link HeapBudget}) holds it; else null, and the weight is
     * {@link #place placed} in native memory. A weight that already is a whole heap float array (an
     * in-memory model) is used as it is. A copy starts on a 64-byte boundary where that can be
     * arranged ({@link HeapAlignment}; {@code -Djlava.weights.align=false}: from index 0).
     * {@code -Djlava.weights.heap=false} keeps copies native. Both are read at each load, to
     * measure the choices in one process. The reservation is returned when {@code owner} becomes
     * unreachable.
     */
    HeapFloats heapCopy(MemorySegment src, Object owner) {
        long bytes = src.byteSize();
        if (this != COPY || !Boolean.parseBoolean(System.getProperty("jlava.weights.heap", "true"))
                || bytes % 4 != 0 || bytes / 4 > Integer.MAX_VALUE - 16) {
            return null;
        }
        int n = (int) (bytes / 4);
        if (src.heapBase().orElse(null) instanceof float[] whole && src.address() == 0 && whole.length == n
                && java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN) {
            return new HeapFloats(whole, 0, n);
        }
        long held = bytes + 4L * PAD_ROOM;
        if (!HeapBudget.reserve(held)) return null;
        float[] a;
        try {
            a = new float[n + PAD_ROOM];
        } catch (OutOfMemoryError e) { // the budget is a share of the maximum heap, not a promise of it
            HeapBudget.release(held);
            return null;
        }
        int pad = Boolean.parseBoolean(System.getProperty("jlava.weights.align", "true")) ? HeapAlignment.floatPad(a) : 0;
        MemorySegment.copy(src, dev.jlava.tensor.Tensor.F32_LE, 0, a, pad, n);
        HeapBudget.hold(owner, held);
        return new HeapFloats(a, pad, n);
    }

    /** Spare floats in a heap copy, room to start the weight on a cache line ({@link HeapAlignment}). */
    private static final int PAD_ROOM = HeapAlignment.LINE / Float.BYTES - 1;

    /** The segment a kernel reads for {@code src}: src itself, or a native copy of it. */
    MemorySegment place(MemorySegment src) {
        if (this == MAPPED || !src.isMapped()) return src;
        MemorySegment dst = HugePages.allocate(src.byteSize()); // streamed once per token: huge pages as for RowPairs
        dst.copyFrom(src);
        return dst;
    }
}
