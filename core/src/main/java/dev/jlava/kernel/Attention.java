package dev.jlava.kernel;

import java.util.Arrays;

/**
 * Causal grouped-query attention of n new query rows against a layer's cache, which already
 * holds the new rows' keys/values at its end. Work is split into tiles of (query head, block of
 * queries); a tile walks the keys it can see {@link #KEYS} at a time with a running softmax (two
 * GEMMs per step, S = Q K^T then O += P V), so memory is O(block x KEYS) per worker, never n x n
 * and not even block x cache length. One query row (a decode step) goes to
 * {@link DecodeAttention}. On request it returns the probabilities of the last query row for
 * every head (what FastV, PVTP and HoliTom score tokens with).
 */
public final class Attention {
    private Attention() {}

    /**
     * Queries per tile (a multiple of the micro-kernel's 6 rows). Each tile packs the keys it sees
     * once, so larger tiles spend less on packing. 96 measured 15-40 % faster than 32 at 6,000
     * tokens, 2 threads (Zen 3); on Zen 5, 48 to 288 were within the noise (docs/performance.md).
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
        causal(q, n, heads, kvHeads, headDim, kc, 0, vc, 0, len, out, lastProbs);
    }

    /**
     * As above, with the cache's entry 0 at kc[kOff] and vc[vOff]: {@code KvCache} starts its
     * rows on a cache line, since a 512-bit load across two lines costs two (decode attention at
     * 6,320 entries: scores 14 % and P V 20 % faster on lines; docs/performance.md, session 18).
     */
    public static void causal(float[] q, int n, int heads, int kvHeads, int headDim,
                              float[] kc, int kOff, float[] vc, int vOff, int len, float[] out, float[] lastProbs) {
        int group = heads / kvHeads;
        int qStride = heads * headDim, kvStride = kvHeads * headDim;
        int first = len - n; // cache index of query row 0
        float scale = (float) (1.0 / Math.sqrt(headDim));
        if (n == 1) {
            DecodeAttention.forward(q, heads, kvHeads, headDim, kc, kOff, vc, vOff, len, out, lastProbs, scale);
            return;
        }
        int blocks = (n + BLOCK - 1) / BLOCK;
        PackedPanels[] keys = packKeys(kc, kOff, len, kvHeads, headDim);
        // (head, block) items claimed as threads finish: causal blocks differ in cost, and a
        // thread slowed by a neighbour takes fewer (see GemmKernel#COLUMN_PIECES)
        Parallel.forRangeDynamic(heads * blocks, 1, 4, (start, end) -> {
            Tile t = TILE.get();
            for (int item = start; item < end; item++) {
                int h = item / blocks, b = item % blocks;
                int i0 = b * BLOCK, rows = Math.min(BLOCK, n - i0);
                tile(t, q, i0 * qStride + h * headDim, qStride, keys[h / group], vc, vOff + (h / group) * headDim, kvStride, headDim,
                        first + i0, rows, scale, out, i0 * qStride + h * headDim, qStride);
            }
        });
        if (lastProbs != null) lastRowProbabilities(q, (n - 1) * qStride, heads, kvHeads, headDim, kc, kOff, len, scale, lastProbs);
    }

    /**
     * A decode step in two halves, for a caller that evicts cache entries by their probabilities
     * in between (ST^3's VTA): {@code probs} ([heads][len]) receives the new query's softmax over
     * all len entries.
     */
    public static void rowProbabilities(float[] q, int heads, int kvHeads, int headDim, float[] kc, int len, float[] probs) {
        rowProbabilities(q, heads, kvHeads, headDim, kc, 0, len, probs);
    }

    /** As above, with entry 0's key at kc[kOff]. */
    public static void rowProbabilities(float[] q, int heads, int kvHeads, int headDim, float[] kc, int kOff, int len, float[] probs) {
        DecodeAttention.probabilities(q, heads, kvHeads, headDim, kc, kOff, len, probs, (float) (1.0 / Math.sqrt(headDim)));
    }

    /**
     * The second half: out = the attention output over the entries not dropped, i.e. the
     * probabilities of the kept entries renormalised (equal to a softmax over the kept entries
     * alone). {@code probs} is modified (dropped entries set to 0).
     */
    public static void rowContext(float[] probs, int heads, int kvHeads, int headDim, float[] vc, int len, boolean[] drop, float[] out) {
        rowContext(probs, heads, kvHeads, headDim, vc, 0, len, drop, out);
    }

    /** As above, with entry 0's value at vc[vOff]. */
    public static void rowContext(float[] probs, int heads, int kvHeads, int headDim, float[] vc, int vOff, int len, boolean[] drop, float[] out) {
        DecodeAttention.context(probs, heads, kvHeads, headDim, vc, vOff, len, drop, out);
    }

    /** Keys per step of a tile: a BLOCK x KEYS score block (96 KB) and the step's keys and values stay in L2. */
    static final int KEYS = Math.max(6, Integer.getInteger("jlava.attention.keys", 256));

    /** One thread's tile buffers: the score block, the running output rows, their running max and sum. */
    private static final class Tile {
        float[] s = new float[0], o = new float[0];
        final float[] max = new float[BLOCK], sum = new float[BLOCK];
    }

    private static final ThreadLocal<Tile> TILE = ThreadLocal.withInitial(Tile::new);

    /** The caller's key panels, reused from call to call (one per KV head; a prompt's are a few MB). */
    private static final ThreadLocal<float[][]> KEY_PANELS = ThreadLocal.withInitial(() -> new float[0][]);

    /**
     * Each KV head's len keys packed once into the GEMM's B panels (keys as columns, headDim deep):
     * every query tile of every query head in the group multiplies by them, which used to re-pack
     * the same keys once per tile step (4 % of a 6,320-token prefill's samples).
     */
    private static PackedPanels[] packKeys(float[] kc, int kOff, int len, int kvHeads, int headDim) {
        int kvStride = kvHeads * headDim;
        float[][] bufs = KEY_PANELS.get();
        if (bufs.length < kvHeads) KEY_PANELS.set(bufs = Arrays.copyOf(bufs, kvHeads));
        PackedPanels[] keys = new PackedPanels[kvHeads];
        for (int g = 0; g < kvHeads; g++) {
            keys[g] = PackedPanels.of(Gemm.transposedSource(kc, kOff + g * headDim, kvStride), len, headDim, bufs[g]);
            bufs[g] = keys[g].data();
        }
        return keys;
    }

    /**
     * The {@code rows} query rows at qOff (stride qStride; row r is cache index first + r) of one
     * head against the keys they can see (packed once, {@link #packKeys}), KEYS at a time with a running softmax: per step S = scale Q K^T (GEMM), each row's
     * max rises to cover the step, its old sum and output row are rescaled by exp(old - new max),
     * S becomes exp(S - max) (0 where causally masked), and O += S V (GEMM). At the end each
     * output row is divided by its sum. Only BLOCK x KEYS scores exist at a time, so they stay in
     * L2, and no pass rescales the probabilities themselves (docs/performance.md, session 14).
     */
    private static void tile(Tile t, float[] q, int qOff, int qStride, PackedPanels keyPanels, float[] vc, int kvOff, int kvStride,
                             int headDim, int first, int rows, float scale, float[] out, int outOff, int outStride) {
        if (t.s.length < BLOCK * KEYS) t.s = new float[BLOCK * KEYS];
        if (t.o.length < BLOCK * headDim) t.o = new float[BLOCK * headDim];
        float[] s = t.s, o = t.o, max = t.max, sum = t.sum;
        int keys = first + rows; // the block's last row sees this many entries
        for (int k0 = 0; k0 < keys; k0 += KEYS) {
            int kn = Math.min(KEYS, keys - k0);
            GemmKernel.multiply(q, qOff, qStride, keyPanels.from(k0), s, 0, kn, rows, kn, headDim, scale, false);
            for (int r = 0; r < rows; r++) {
                int so = r * kn, visible = Math.min(kn, first + r + 1 - k0); // >= 1 in the first step
                if (visible <= 0) {
                    Arrays.fill(s, so, so + kn, 0f);
                    continue;
                }
                float m = Math.max(k0 == 0 ? Float.NEGATIVE_INFINITY : max[r], Ops.max(s, so, visible));
                float e = Ops.expShifted(s, so, visible, m);
                Arrays.fill(s, so + visible, so + kn, 0f);
                if (k0 == 0) {
                    sum[r] = e;
                } else {
                    float f = (float) Math.exp(max[r] - m);
                    sum[r] = sum[r] * f + e;
                    if (f != 1f) Ops.scale(o, r * headDim, headDim, f);
                }
                max[r] = m;
            }
            Gemm.ab(s, 0, kn, vc, k0 * kvStride + kvOff, kvStride, o, 0, headDim, rows, headDim, kn, 1f, k0 > 0);
        }
        for (int r = 0; r < rows; r++) {
            float inv = 1f / sum[r];
            for (int d = 0; d < headDim; d++) out[outOff + r * outStride + d] = o[r * headDim + d] * inv;
        }
    }

    /** The last query row's softmax probabilities over the whole cache, per head (what FastV, PVTP and HoliTom score with). */
    private static void lastRowProbabilities(float[] q, int qRow, int heads, int kvHeads, int headDim, float[] kc, int kOff, int len,
                                             float scale, float[] probs) {
        float[] row = Arrays.copyOfRange(q, qRow, qRow + heads * headDim);
        DecodeAttention.probabilities(row, heads, kvHeads, headDim, kc, kOff, len, probs, scale);
    }
}
