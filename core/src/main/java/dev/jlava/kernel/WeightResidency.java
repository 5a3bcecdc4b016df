package dev.jlava.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where F32, F16 and BF16 weights live while the model runs: copied into the process's own
 * native memory at load ({@link #COPY}, the default), or read in place from the checkpoint's
 * file mapping ({@link #MAPPED}, llama.cpp's default, its {@code --mmap}). Q8_0 and Q4_0 weights
 * are always re-laid into native memory ({@link RowPairs}), so this choice does not apply to them.
 *
 * <p>Why a copy by default: on the benchmark machines (Firecracker VMs) streaming weights from
 * page-cache pages of the mapping ran at 60-70 % of the rate of the same bytes in anonymous memory
 * (F32 decode GEMVs over the 24 layers of Qwen2-0.5B alternated in one JVM; llama.cpp's own F32
 * decode ran 1.5x faster with {@code --mmap 0}, docs/performance.md, session 12). Decode is bound
 * by that rate. The copy costs its time at load (about a second per few GB) and keeps the weights
 * as anonymous memory, not shareable with other processes; the page-cache pages it was copied
 * from stay reclaimable. Choose {@link #MAPPED} for the smallest footprint or to share one
 * model file between processes. The system property {@code jlava.weights=copy|mapped} sets the
 * initial value; the CLI's {@code --mmap} sets MAPPED.
 */
public enum WeightResidency {
    /** Copied at load into 64-byte-aligned native memory, freed when the weight is unreachable. */
    COPY,
    /** Read in place from the checkpoint's memory-mapped file. */
    MAPPED;

    private static volatile WeightResidency current = fromProperty(System.getProperty("jlava.weights", "copy"));

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

    /** The segment a kernel reads for {@code src}: src itself, or a native copy of it. */
    MemorySegment place(MemorySegment src) {
        if (this == MAPPED || !src.isMapped()) return src;
        MemorySegment dst = Arena.ofAuto().allocate(src.byteSize(), 64);
        dst.copyFrom(src);
        return dst;
    }
}
