package dev.jlava.kernel;

import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Attention of one query row (a decode step) against a layer's whole cache, grouped-query: the
 * cache is walked in fixed chunks of {@link #CHUNK} keys per KV head, and each chunk (32 KB for
 * one Qwen2 KV head) stays in L1/L2 while all the query heads of its group read it, so the cache
 * comes from memory once per step rather than once per query head. Three passes over (KV head,
 * chunk) items: scores, each head's softmax, then each chunk's P V into a partial sum of its own.
 * The partials are added in chunk order, so the result does not depend on the number of threads
 * or on which thread ran what.
 *
 * <p>Why not {@link Attention}'s tiles: they pack the keys for the 6-row GEMM micro-kernel, and
 * with one row a dot per key and head paid a full lane-sum tree; at 6,320 cached tokens that was
 * 2.1 ms per layer on Qwen2-0.5B (Zen 5, 2 threads), against ~0.5 ms here (docs/performance.md,
 * session 14).
 */
final class DecodeAttention {
    private DecodeAttention() {}

    /** Keys per item: 128 x 64 floats of one KV head = 32 KB. */
    static final int CHUNK = 128;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** As {@link Attention#causal} with n = 1: the query sees every cache entry (keys from kc[kOff], values from vc[vOff]). */
    static void forward(float[] q, int heads, int kvHeads, int headDim, float[] kc, int kOff, float[] vc, int vOff, int len,
                        float[] out, float[] lastProbs, float scale) {
        float[] p = lastProbs;
        if (p == null) {
            p = PROBS.get();
            // with room to grow: the cache gains an entry per step, and a new array per step and layer was 8 MB/token at 6,320 entries
            if (p.length < heads * len) PROBS.set(p = new float[heads * (len + len / 4 + 64)]);
        }
        probabilities(q, heads, kvHeads, headDim, kc, kOff, len, p, scale);
        context(p, heads, kvHeads, headDim, vc, vOff, len, null, out);
    }

    private static final ThreadLocal<float[]> PROBS = ThreadLocal.withInitial(() -> new float[0]);

    /** probs[h][0..len) = softmax over the cache of scale q_h . k_j, per query head h. */
    static void probabilities(float[] q, int heads, int kvHeads, int headDim, float[] kc, int kOff, int len, float[] p, float scale) {
        int group = heads / kvHeads, kvStride = kvHeads * headDim, chunks = (len + CHUNK - 1) / CHUNK;
        boolean wide = headDim % L == 0;
        Parallel.forRangeDynamic(kvHeads * chunks, 1, 4, (a, b) -> {
            for (int t = a; t < b; t++) {
                int g = t / chunks, j0 = (t % chunks) * CHUNK, j1 = Math.min(len, j0 + CHUNK), ko = kOff + g * headDim;
                // keys outer, heads inner: four keys' rows stay in L1 while the group's heads read them
                int j = j0;
                if (wide) {
                    for (; j + 4 <= j1; j += 4) {
                        for (int h = g * group; h < (g + 1) * group; h++) scores4(q, h * headDim, kc, j * kvStride + ko, kvStride, headDim, scale, p, h * len + j);
                    }
                }
                for (int h = g * group; h < (g + 1) * group; h++) {
                    for (int jj = j; jj < j1; jj++) p[h * len + jj] = Ops.dot(q, h * headDim, kc, jj * kvStride + ko, headDim) * scale;
                }
            }
        });
        Parallel.forRange(heads, (h0, h1) -> {
            for (int h = h0; h < h1; h++) Ops.softmax(p, h * len, len);
        });
    }

    /**
     * out[h] = sum over j of p[h][j] v_j, per query head. With {@code drop}, the dropped entries'
     * probabilities are set to 0 in p first and each head's context is divided by its remaining
     * sum: softmax over the kept entries, from the probabilities over all of them (a decode step
     * that evicts entries needs no second pass over the keys).
     */
    static void context(float[] p, int heads, int kvHeads, int headDim, float[] vc, int vOff, int len, boolean[] drop, float[] out) {
        int group = heads / kvHeads, kvStride = kvHeads * headDim, chunks = (len + CHUNK - 1) / CHUNK;
        int partSize = group * headDim, parts = kvHeads * chunks * partSize;
        float[] scratch = SCRATCH.get();
        if (scratch.length < parts) SCRATCH.set(scratch = new float[parts]);
        float[] part = scratch;
        if (drop != null) {
            for (int h = 0; h < heads; h++) for (int j = 0; j < len; j++) if (drop[j]) p[h * len + j] = 0f;
        }
        boolean wide = headDim % L == 0;
        boolean tiled = wide && group >= HEAD_TILE_MIN_GROUP;
        Parallel.forRangeDynamic(kvHeads * chunks, 1, 4, (a, b) -> {
            for (int t = a; t < b; t++) {
                int g = t / chunks, j0 = (t % chunks) * CHUNK, j1 = Math.min(len, j0 + CHUNK), vo = vOff + g * headDim;
                if (tiled) {
                    contextTiled(p, len, g * group, group, vc, vo, kvStride, headDim, j0, j1, part, t * partSize);
                    continue;
                }
                for (int h = g * group; h < (g + 1) * group; h++) {
                    int po = h * len, ho = t * partSize + (h - g * group) * headDim, d = 0;
                    if (wide) {
                        for (; d + 4 * L <= headDim; d += 4 * L) weighted4(p, po, vc, vo + d, kvStride, j0, j1, part, ho + d);
                        for (; d < headDim; d += L) weighted(p, po, vc, vo + d, kvStride, j0, j1, part, ho + d);
                    }
                    if (d < headDim) { // head dims that are not whole vectors: plain axpys
                        Arrays.fill(part, ho, ho + headDim, 0f);
                        for (int j = j0; j < j1; j++) Ops.axpy(p[po + j], vc, j * kvStride + vo, part, ho, headDim);
                    }
                }
            }
        });
        for (int g = 0; g < kvHeads; g++) {
            int oo = g * partSize; // the group's heads are adjacent in out ([heads][headDim])
            System.arraycopy(part, g * chunks * partSize, out, oo, partSize);
            for (int c = 1; c < chunks; c++) {
                int from = (g * chunks + c) * partSize;
                for (int i = 0; i < partSize; i++) out[oo + i] += part[from + i];
            }
        }
        if (drop != null) {
            for (int h = 0; h < heads; h++) {
                float kept = 0;
                for (int j = 0; j < len; j++) kept += p[h * len + j];
                Ops.scale(out, h * headDim, headDim, 1f / kept);
            }
        }
    }

    /**
     * Scores of four consecutive keys (rows {@code ko}, +ks, +2ks, +3ks) for one query head: one
     * accumulator per key over the head's vectors, then the four lane trees folded together
     * ({@link Gemv#sum4}) instead of four separate lane sums.
     */
    private static void scores4(float[] q, int qo, float[] kc, int ko, int ks, int headDim, float scale, float[] p, int po) {
        FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
        for (int i = 0; i < headDim; i += L) {
            FloatVector x = FloatVector.fromArray(F, q, qo + i);
            a = FloatVector.fromArray(F, kc, ko + i).fma(x, a);
            b = FloatVector.fromArray(F, kc, ko + ks + i).fma(x, b);
            c = FloatVector.fromArray(F, kc, ko + 2 * ks + i).fma(x, c);
            d = FloatVector.fromArray(F, kc, ko + 3 * ks + i).fma(x, d);
        }
        FloatVector s = Gemv.sum4(a, b, c, d);
        p[po] = s.lane(0) * scale;
        p[po + 1] = s.lane(L / 2) * scale;
        p[po + 2] = s.lane(L / 4) * scale;
        p[po + 3] = s.lane(L / 2 + L / 4) * scale;
    }

    /** Query heads per group from which P V reads each value row once for four heads ({@link #contextTiled}). */
    static final int HEAD_TILE_MIN_GROUP = Integer.getInteger("jlava.decodeAttention.headTile", 4);

    /**
     * One chunk's P V for a whole group of query heads: the heads in tiles of four, the head's
     * dimensions in pairs of vectors, so each value vector loaded serves four heads (two loads and
     * four broadcasts per eight FMAs, where {@link #weighted4} pays four loads and one broadcast
     * per four). A last tile of fewer heads repeats its last head in the spare slots and writes
     * them to a scratch row. Per head and lane, one chain over the keys in order.
     */
    private static void contextTiled(float[] p, int len, int h0, int group, float[] vc, int vo, int vs, int headDim,
                                     int j0, int j1, float[] part, int partOff) {
        float[] spare = SPARE.get();
        if (spare.length < headDim) SPARE.set(spare = new float[headDim]);
        for (int hb = 0; hb < group; hb += 4) {
            int n = Math.min(4, group - hb);
            int p0 = (h0 + hb) * len, p1 = (h0 + hb + Math.min(1, n - 1)) * len;
            int p2 = (h0 + hb + Math.min(2, n - 1)) * len, p3 = (h0 + hb + Math.min(3, n - 1)) * len;
            int o0 = partOff + hb * headDim;
            float[] t1 = n > 1 ? part : spare, t2 = n > 2 ? part : spare, t3 = n > 3 ? part : spare;
            int o1 = n > 1 ? o0 + headDim : 0, o2 = n > 2 ? o0 + 2 * headDim : 0, o3 = n > 3 ? o0 + 3 * headDim : 0;
            int d = 0;
            for (; d + 2 * L <= headDim; d += 2 * L) {
                weightedHeads4(p, p0, p1, p2, p3, vc, vo + d, vs, j0, j1, part, o0 + d, t1, o1 + d, t2, o2 + d, t3, o3 + d);
            }
            if (d < headDim) { // an odd number of vectors per head: the last one head by head
                for (int i = 0; i < n; i++) weighted(p, (h0 + hb + i) * len, vc, vo + d, vs, j0, j1, part, o0 + i * headDim + d);
            }
        }
    }

    private static final ThreadLocal<float[]> SPARE = ThreadLocal.withInitial(() -> new float[0]);

    /** Two adjacent vectors of the context of four heads (probability rows p0..p3) over keys [j0, j1). */
    private static void weightedHeads4(float[] p, int p0, int p1, int p2, int p3, float[] vc, int vo, int vs, int j0, int j1,
                                       float[] c0, int o0, float[] c1, int o1, float[] c2, int o2, float[] c3, int o3) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, e0 = a0, e1 = a0, f0 = a0, f1 = a0;
        for (int j = j0; j < j1; j++) {
            int r = j * vs + vo;
            FloatVector v0 = FloatVector.fromArray(F, vc, r), v1 = FloatVector.fromArray(F, vc, r + L);
            FloatVector w = FloatVector.broadcast(F, p[p0 + j]);
            a0 = v0.fma(w, a0);
            a1 = v1.fma(w, a1);
            w = FloatVector.broadcast(F, p[p1 + j]);
            b0 = v0.fma(w, b0);
            b1 = v1.fma(w, b1);
            w = FloatVector.broadcast(F, p[p2 + j]);
            e0 = v0.fma(w, e0);
            e1 = v1.fma(w, e1);
            w = FloatVector.broadcast(F, p[p3 + j]);
            f0 = v0.fma(w, f0);
            f1 = v1.fma(w, f1);
        }
        a0.intoArray(c0, o0);
        a1.intoArray(c0, o0 + L);
        b0.intoArray(c1, o1);
        b1.intoArray(c1, o1 + L);
        e0.intoArray(c2, o2);
        e1.intoArray(c2, o2 + L);
        f0.intoArray(c3, o3);
        f1.intoArray(c3, o3 + L);
    }

    /**
     * {@link #weighted} for four adjacent vectors of the head at once (a 64-float head at 512
     * bits): each p is broadcast once for four loads, and the eight chains keep both FMA ports
     * busy where two chains waited on the FMA latency. The same additions per lane, in the same
     * order, as four calls of {@link #weighted}.
     */
    private static void weighted4(float[] p, int po, float[] vc, int vo, int vs, int j0, int j1, float[] part, int o) {
        FloatVector e0 = FloatVector.zero(F), e1 = e0, e2 = e0, e3 = e0, f0 = e0, f1 = e0, f2 = e0, f3 = e0;
        int j = j0;
        for (; j + 2 <= j1; j += 2) {
            int r = j * vs + vo, r2 = r + vs;
            FloatVector pe = FloatVector.broadcast(F, p[po + j]), pf = FloatVector.broadcast(F, p[po + j + 1]);
            e0 = FloatVector.fromArray(F, vc, r).fma(pe, e0);
            e1 = FloatVector.fromArray(F, vc, r + L).fma(pe, e1);
            e2 = FloatVector.fromArray(F, vc, r + 2 * L).fma(pe, e2);
            e3 = FloatVector.fromArray(F, vc, r + 3 * L).fma(pe, e3);
            f0 = FloatVector.fromArray(F, vc, r2).fma(pf, f0);
            f1 = FloatVector.fromArray(F, vc, r2 + L).fma(pf, f1);
            f2 = FloatVector.fromArray(F, vc, r2 + 2 * L).fma(pf, f2);
            f3 = FloatVector.fromArray(F, vc, r2 + 3 * L).fma(pf, f3);
        }
        if (j < j1) {
            int r = j * vs + vo;
            FloatVector pe = FloatVector.broadcast(F, p[po + j]);
            e0 = FloatVector.fromArray(F, vc, r).fma(pe, e0);
            e1 = FloatVector.fromArray(F, vc, r + L).fma(pe, e1);
            e2 = FloatVector.fromArray(F, vc, r + 2 * L).fma(pe, e2);
            e3 = FloatVector.fromArray(F, vc, r + 3 * L).fma(pe, e3);
        }
        e0.add(f0).intoArray(part, o);
        e1.add(f1).intoArray(part, o + L);
        e2.add(f2).intoArray(part, o + 2 * L);
        e3.add(f3).intoArray(part, o + 3 * L);
    }

    /** part[o..o+L) = sum over j in [j0, j1) of p[po + j] * v[j][vo..vo+L): two chains, added at the end. */
    private static void weighted(float[] p, int po, float[] vc, int vo, int vs, int j0, int j1, float[] part, int o) {
        FloatVector e = FloatVector.zero(F), f = e;
        int j = j0;
        for (; j + 2 <= j1; j += 2) {
            e = FloatVector.fromArray(F, vc, j * vs + vo).fma(FloatVector.broadcast(F, p[po + j]), e);
            f = FloatVector.fromArray(F, vc, (j + 1) * vs + vo).fma(FloatVector.broadcast(F, p[po + j + 1]), f);
        }
        if (j < j1) e = FloatVector.fromArray(F, vc, j * vs + vo).fma(FloatVector.broadcast(F, p[po + j]), e);
        e.add(f).intoArray(part, o);
    }
}
