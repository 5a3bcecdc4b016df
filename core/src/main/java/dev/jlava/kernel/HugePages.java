package dev.jlava.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Zeroed native memory for weights that kernels stream, backed by transparent huge pages where
 * Linux allows them. With THP in its common {@code madvise} mode, memory gets 2 MB pages only if
 * the program asks before first touching it, and {@link Arena#allocate} zeroes (touches) at once.
 * So big blocks come from an anonymous {@code mmap} (zero pages, not yet touched), advised with
 * {@code madvise(MADV_HUGEPAGE)} and unmapped when the segment becomes unreachable.
 *
 * <p>Why: Q8_0 decode streams ~0.5 GB of re-laid weights per token; with 4 KB pages each 4 KB is a
 * TLB miss. Alternated with {@code -Djlava.hugePages=false}, six pairs of {@code jlava bench -n 64}
 * on the Qwen2-0.5B Q8_0 file: 48.0 / 30.4, 57.3 / 57.8, 58.0 / 41.4, 52.8 / 56.2, 52.5 / 42.5,
 * 48.5 / 34.3 t/s (mean 52.9 against 43.8; docs/performance.md,
 * session 17). Without native access, off Linux, below {@link #MIN_BYTES}, or with
 * {@code -Djlava.hugePages=false}, it is {@code Arena.ofAuto().allocate}.
 */
public final class HugePages {
    private HugePages() {}

    /** Blocks smaller than two huge pages gain little and would waste most of one. */
    static final long MIN_BYTES = 4L << 20;
    private static final long HUGE = 2L << 20;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MADV_HUGEPAGE = 14;
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("jlava.hugePages", "true"))
            && System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    private static final MethodHandle MMAP, MADVISE, MUNMAP;

    static {
        MethodHandle mmap = null, madvise = null, munmap = null;
        if (ENABLED) {
            try {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                mmap = lookup.find("mmap").map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_LONG))).orElse(null);
                madvise = lookup.find("madvise").map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT))).orElse(null);
                munmap = lookup.find("munmap").map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))).orElse(null);
            } catch (RuntimeException e) { // IllegalCallerException without native access
                mmap = madvise = munmap = null;
            }
        }
        if (mmap == null || madvise == null || munmap == null) mmap = madvise = munmap = null;
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    /** Whether big allocations are mapped and advised here (false: they fall back to the arena). */
    static boolean available() {
        return MMAP != null;
    }

    /**
     * {@code bytes} of zeroed native memory, 64-byte aligned (2 MB aligned when mapped), freed when
     * the returned segment becomes unreachable.
     */
    public static MemorySegment allocate(long bytes) {
        if (bytes < MIN_BYTES || MMAP == null) return Arena.ofAuto().allocate(bytes, 64);
        long len = bytes + HUGE; // room to start on a 2 MB boundary
        MemorySegment base;
        try {
            base = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            return Arena.ofAuto().allocate(bytes, 64);
        }
        long addr = base.address();
        if (addr == -1L || addr == 0L) return Arena.ofAuto().allocate(bytes, 64); // MAP_FAILED
        long start = (addr + HUGE - 1) & -HUGE;
        try {
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), bytes, MADV_HUGEPAGE); // a refusal only costs the huge pages
        } catch (Throwable e) {
            // same: the mapping stays usable with small pages
        }
        // the cleanup runs on the Cleaner's thread once the segment is unreachable; it unmaps the whole mapping
        return MemorySegment.ofAddress(start).reinterpret(bytes, Arena.ofAuto(), s -> unmap(addr, len));
    }

    private static void unmap(long addr, long len) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(addr), len);
        } catch (Throwable e) {
            // nothing to do: the memory stays mapped until the process exits
        }
    }
}
