package dev.jlava.kernel;

import java.util.Arrays;

/**
 * Causal grouped-query attention of n new query rows against a layer's cache, which already
 * holds the new rows' keys/values at its end. Work is split into tiles of (query head, block of
 * queries); each tile is two GEMMs (S = Q K^T over the keys the block can see, then O = P V) with a
 * row softmax between, so memory is O(block x cache length) per worker, never n x n. On request it
 * returns the probabilities of the last query row for every head (what FastV, PVTP and HoliTom
 * score tokens with).
 */
public final class Attention {
    private Attention() {}

    /**
     * Queries per tile (a multiple of the micro-kernel's 6 rows). Each tile packs the keys it sees
     * once, so larger tiles spend less on packing; S is BLOCK x len floats per worker (2.4 MB at
     * 6,500 tokens). 96 measured 15-40 % faster than 32 at 6,000 tokens, 2 threads (docs/performance.md).
     */
    static final int BLOCK = Math.max(6, Integer.getInteger("jlava.attention.block", 96) / 6 * 6);

    /**
     * @param q         [n][heads*headDim] RoPE-rotated queries
     * @param kc        cache keys [len][kvHeads*headDim], the n new rows last
     * @param vc        cache values, same layout
     * @param len       cache length (including the n new rows)
     * @param out       [n][heads*headDim] result
     * @param lastProbs if non-null, receives [heads][len] probabilities of the last query row
     */
    public static void causal(float[] q, int n, int heads, int kvHeads, int headDim,
                              float[] kc, float[] vc, int len, float[] out, float[] lastProbs) {
        int group = heads / kvHeads;
        int qStride = heads * headDim, kvStride = kvHeads * headDim;
        int first = len - n; // cache index of query row 0
        float scale = (float) (1.0 / Math.sqrt(headDim));
        if (n == 1) {
            DecodeAttention.forward(q, heads, kvHeads, headDim, kc, vc, len, out, lastProbs, scale);
            return;
        }
        int blocks = (n + BLOCK - 1) / BLOCK;
        // (head, block) items claimed as threads finish: causal blocks differ in cost, and a
        // thread slowed by a neighbour takes fewer (see GemmKernel#COLUMN_PIECES)
        Parallel.forRangeDynamic(heads * blocks, 1, 4, (start, end) -> {
            float[] s = new float[Math.min(BLOCK, n) * len]; // a decode step needs one row, not BLOCK
            for (int t = start; t < end; t++) {
                int h = t / blocks, b = t % blocks;
                int g = h / group;
                int i0 = b * BLOCK, rows = Math.min(BLOCK, n - i0);
                int keys = first + i0 + rows; // the last row of the block sees this many entries
                Gemm.abT(q, i0 * qStride + h * headDim, qStride, kc, g * headDim, kvStride, s, 0, keys,
                        rows, keys, headDim, scale, false);
                for (int r = 0; r < rows; r++) {
                    int visible = first + i0 + r + 1;
                    int so = r * keys;
                    Ops.softmax(s, so, visible);
                    Arrays.fill(s, so + visible, so + keys, 0f);
                    if (lastProbs != null && i0 + r == n - 1) {
                        System.arraycopy(s, so, lastProbs, h * len, visible);
                    }
                }
                Gemm.ab(s, 0, keys, vc, g * headDim, kvStride, out, i0 * qStride + h * headDim, qStride,
                        rows, headDim, keys, 1f, false);
            }
        });
    }
}
