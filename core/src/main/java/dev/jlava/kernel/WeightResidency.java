package dev.jlava.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where F32, F16 and BF16 weights live while the model runs: read in place from the checkpoint's
 * file mapping ({@link #MAPPED}, the default, as llama.cpp's), or copied at load into the
 * process's own native memory ({@link #COPY}, llama.cpp's {@code --no-mmap}). Q8_0 and Q4_0
 * weights are always re-laid into native memory ({@link RowPairs}), so this does not apply to them.
 *
 * <p>Why both: on the benchmark machines (Firecracker VMs) which of the two streams faster is not
 * stable. In one hour the decode GEMVs over Qwen2-0.5B's 24 F32 layers ran 30-45 % faster from
 * fresh copies than from the page-cache pages of the mapping (and llama.cpp's F32 decode 1.5x
 * faster with {@code --mmap 0}); an hour later the mapping was as fast or faster
 * (docs/performance.md, session 12). The mapping costs nothing at load and shares the pages with
 * other processes, so it is the default; COPY is there for storage where mapped reads are slow.
 * The system property {@code jlava.weights=mapped|copy} sets the initial value, the CLI's
 * {@code --no-mmap} sets COPY.
 */
public enum WeightResidency {
    /** Read in place from the checkpoint's memory-mapped file. */
    MAPPED,
    /** Copied at load into 64-byte-aligned native memory, freed when the weight is unreachable. */
    COPY;

    private static volatile WeightResidency current = fromProperty(System.getProperty("jlava.weights", "mapped"));

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
