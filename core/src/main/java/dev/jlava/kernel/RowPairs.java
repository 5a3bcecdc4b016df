package dev.jlava.kernel;

import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The layout Q8_0/Q4_0 weights are re-laid into at load ({@link WeightLinear}): the file's blocks
 * (an f16 scale d, then 32 quants: 32 int8 or 16 bytes of nibbles) are split into
 * <ul>
 * <li>{@code quants}, native memory: rows 2p and 2p+1 alternate block by block
 *     ({@code r0b0 r1b0 r0b1 r1b1 ...}, 32 or 16 bytes each, 64-byte aligned), an odd last row
 *     paired with a row of zeros;
 * <li>{@code scales}, a heap float[]: d widened to float, in the same pair order.
 * </ul>
 * Why: the GEMV dots a row pair per pass (each input vector loaded once for both). Interleaved,
 * that pass reads one sequential stream, which the hardware prefetchers follow (1.4-1.6x faster
 * from DRAM on 2 threads than two streams a row apart). Split off, the quants of a block are
 * aligned (no load splits a cache line) and a scale costs one array read instead of a bounds-checked
 * segment read, a sign extension and an f16 conversion: the Q8_0 dot takes 10-15 % less time per weight
 * (docs/performance.md, session 11). llama.cpp repacks Q4_0 for its AVX2/NEON kernels at load
 * for the same kind of reason. Costs one copy of the weight at load (the file's pages are then
 * no longer read) and 2 more bytes per 32 weights.
 */
final class RowPairs {
    private final MemorySegment quants;
    private final float[] scales;
    private final int blocks, quantBytes;

    private RowPairs(MemorySegment quants, float[] scales, int blocks, int quantBytes) {
        this.quants = quants;
        this.scales = scales;
        this.blocks = blocks;
        this.quantBytes = quantBytes;
    }

    /** Re-lays {@code src}: rows x blocks blocks of (2 + quantBytes) bytes in file order; quantBytes 32 (Q8_0) or 16 (Q4_0). */
    static RowPairs repack(MemorySegment src, int rows, int blocks, int quantBytes) {
        int pairs = (rows + 1) / 2;
        long need = (long) rows * blocks * (2 + quantBytes);
        if (src.byteSize() < need) throw new IllegalArgumentException("quantized weight has " + src.byteSize() + " bytes, needs " + need);
        if ((long) pairs * blocks * 2 > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("quantized weight of " + rows + " x " + blocks + " blocks has too many blocks for one scale array");
        MemorySegment quants = HugePages.allocate((long) pairs * blocks * 2 * quantBytes); // zeroed: the odd last row's partner
        float[] scales = new float[pairs * blocks * 2];
        RowPairs p = new RowPairs(quants, scales, blocks, quantBytes);
        int fileBlock = 2 + quantBytes;
        Parallel.forRange(rows, 2, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                for (int b = 0; b < blocks; b++) {
                    long from = ((long) r * blocks + b) * fileBlock;
                    scales[p.scaleAt(r, b)] = Float.float16ToFloat(src.get(Tensor.I16_LE, from));
                    MemorySegment.copy(src, from + 2, quants, p.quantAt(r, b), quantBytes);
                }
            }
        });
        return p;
    }

    int blocks() { return blocks; }

    MemorySegment quants() { return quants; }

    float[] scales() { return scales; }

    /** Byte offset in {@link #quants} of row r's block b; the row's next block is {@code 2 * quantBytes} further. */
    long quantAt(int r, int b) {
        return (((long) (r >> 1) * blocks + b) * 2 + (r & 1)) * quantBytes;
    }

    /** Index in {@link #scales} of row r's block b; the row's next block is 2 further. */
    int scaleAt(int r, int b) {
        return ((r >> 1) * blocks + b) * 2 + (r & 1);
    }
}
