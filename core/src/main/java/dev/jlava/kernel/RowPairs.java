package dev.jlava.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The layout Q8_0/Q4_0 weights are re-laid into at load ({@link WeightLinear}): rows 2p and 2p+1
 * alternate block by block ({@code r0b0 r1b0 r0b1 r1b1 ...}); an odd last row keeps its blocks
 * consecutive. The GEMV dots a row pair per pass (each input vector loaded once for both), and in
 * the file's layout that pass reads two streams one row apart. Interleaved, it reads one
 * sequential stream, which the hardware prefetchers follow: 1.4-1.6x faster from DRAM on 2 threads
 * (docs/performance.md). llama.cpp repacks Q4_0 for its AVX2/NEON kernels at load for the same kind
 * of reason. Costs one copy of the weight at load (the file's pages are then no longer read).
 */
final class RowPairs {
    private RowPairs() {}

    /** Rows that belong to a pair: all of them, or all but an odd last one. */
    static int pairedRows(int rows) {
        return rows & ~1;
    }

    /** Byte offset of row r's first block. */
    static long rowBase(int r, int rows, int blocksPerRow, int blockBytes) {
        long rowBytes = (long) blocksPerRow * blockBytes;
        return r < pairedRows(rows) ? (r & ~1) * rowBytes + (r & 1) * blockBytes : r * rowBytes;
    }

    /** Bytes from one of row r's blocks to its next. */
    static int blockStride(int r, int rows, int blockBytes) {
        return r < pairedRows(rows) ? 2 * blockBytes : blockBytes;
    }

    /** A native copy of {@code src} (rows x blocksPerRow blocks, in file order) in this layout. */
    static MemorySegment repack(MemorySegment src, int rows, int blocksPerRow, int blockBytes) {
        long rowBytes = (long) blocksPerRow * blockBytes;
        MemorySegment dst = Arena.ofAuto().allocate(rows * rowBytes, 64);
        Parallel.forRange(rows, 2, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long from = r * rowBytes, to = rowBase(r, rows, blocksPerRow, blockBytes);
                int stride = blockStride(r, rows, blockBytes);
                if (stride == blockBytes) {
                    MemorySegment.copy(src, from, dst, to, rowBytes);
                    continue;
                }
                for (int b = 0; b < blocksPerRow; b++) MemorySegment.copy(src, from + (long) b * blockBytes, dst, to + (long) b * stride, blockBytes);
            }
        });
        return dst;
    }
}
