package dev.jlava.llm;

import dev.jlava.kernel.Activations;
import dev.jlava.kernel.Attention;
import dev.jlava.kernel.FusedGemv;
import dev.jlava.kernel.Linear;
import dev.jlava.kernel.Parallel;
import dev.jlava.kernel.Rope;
import java.util.function.IntPredicate;

/**
 * The Qwen2 / LLaMA decoder: pre-norm blocks of RMSNorm, grouped-query attention with RoPE at
 * explicit positions (q/k/v biases for Qwen2), and a SwiGLU MLP; final RMSNorm and the output
 * projection (tied to the embedding or not). A prompt goes through as matrix-matrix work; one
 * generated token as matrix-vector work. Token reduction plugs in through {@link LayerHook}
 * (between layers) and by editing {@link KvCache} entries; the decoder knows no method.
 */
public final class Decoder {
    private final DecoderConfig config;
    private final DecoderWeights weights;
    private final Rope rope;

    public Decoder(DecoderConfig config, DecoderWeights weights) {
        this.config = config;
        this.weights = weights;
        this.rope = new Rope(config.headDim(), config.ropeTheta(), config.ropeStyle() == DecoderConfig.RopeStyle.NEOX);
    }

    public DecoderConfig config() { return config; }

    public DecoderWeights weights() { return weights; }

    public KvCache newCache() {
        return new KvCache(config.layers(), config.kvDim(), 64);
    }

    /** Token embeddings [n][hidden] of the given ids. */
    public float[] embed(int[] ids) {
        int d = config.hidden();
        float[] x = new float[ids.length * d];
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= config.vocab()) throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + config.vocab());
            weights.embedding().rowToFloats(id, x, i * d);
        }
        return x;
    }

    /** What a forward call should compute besides the cache update. */
    public record Options(boolean allLogits, LayerHook hook, IntPredicate recordAttention, CacheHook cacheHook) {
        public static final Options LAST_LOGITS = new Options(false, LayerHook.NONE, l -> false, CacheHook.NONE);
        public static final Options ALL_LOGITS = new Options(true, LayerHook.NONE, l -> false, CacheHook.NONE);

        public Options withHook(LayerHook h) { return new Options(allLogits, h, recordAttention, cacheHook); }

        public Options withCacheHook(CacheHook h) { return new Options(allLogits, hook, recordAttention, h); }

        public Options recording(IntPredicate layers) { return new Options(allLogits, hook, layers, cacheHook); }
    }

    /**
     * @param logits     [rows][vocab]: every remaining row when allLogits, else only the last
     * @param rows       number of logits rows
     * @param positions  positions of the rows that came out of the last layer
     * @param attention  per layer, the last-query attention when recorded, else null
     */
    public record Result(float[] logits, int rows, int[] positions, AttentionRow[] attention) {
        public float[] lastLogits(int vocab) {
            float[] r = new float[vocab];
            System.arraycopy(logits, (rows - 1) * vocab, r, 0, vocab);
            return r;
        }
    }

    /** Runs token ids at the given positions, appending to the cache. */
    public Result forward(int[] ids, int[] positions, KvCache cache, Options opt) {
        return forward(embed(ids), ids.length, positions, cache, opt);
    }

    /** Runs n input rows [n][hidden] (token or visual embeddings) at the given positions. */
    public Result forward(float[] input, int n, int[] positions, KvCache cache, Options opt) {
        DecoderConfig c = config;
        int d = c.hidden();
        HiddenState st = new HiddenState(input.clone(), n, d, positions.clone());
        AttentionRow[] rec = new AttentionRow[c.layers()];
        AttentionRow prev = null;
        Workspace ws = new Workspace(c, n);
        for (int l = 0; l < c.layers(); l++) {
            if (l > 0) {
                opt.hook().beforeLayer(l, st, prev);
                if (st.rows() == 0) throw new IllegalStateException("a reduction stage removed every row before layer " + l);
            }
            boolean wantAttn = opt.recordAttention().test(l) || opt.hook().wantsAttention(l);
            AttentionRow a = layer(l, st, cache.layer(l), wantAttn, opt.cacheHook(), ws);
            if (opt.recordAttention().test(l)) rec[l] = a;
            prev = a;
        }
        opt.hook().beforeLayer(c.layers(), st, prev);
        int m = opt.allLogits() ? st.rows() : 1;
        int from = st.rows() - m;
        float[] h = new float[m * d];
        float[] x = st.data();
        for (int r = 0; r < m; r++) rmsNorm(x, (from + r) * d, weights.outputNorm(), h, r * d, d, c.rmsEps());
        float[] logits = new float[m * c.vocab()];
        weights.output().forward(h, m, logits);
        return new Result(logits, m, st.positions(), rec);
    }

    /**
     * A forward call's per-layer buffers, sized for its first layer's rows and reused by every
     * layer (rows only shrink between layers): a 512-token prefill of Qwen2-0.5B would otherwise
     * allocate and zero ~30 MB per layer. Kernels overwrite what they write; rows past the
     * layer's count are never read.
     */
    private static final class Workspace {
        final float[] h, q, k, v, attnOut, o, g, u;

        Workspace(DecoderConfig c, int n) {
            h = new float[n * c.hidden()];
            q = new float[n * c.qDim()];
            k = new float[n * c.kvDim()];
            v = new float[n * c.kvDim()];
            attnOut = new float[n * c.qDim()];
            o = new float[n * c.hidden()];
            g = new float[n * c.ffn()];
            u = new float[n * c.ffn()];
        }
    }

    private AttentionRow layer(int l, HiddenState st, KvCache.Layer kv, boolean wantAttn, CacheHook cacheHook, Workspace ws) {
        DecoderConfig c = config;
        DecoderWeights.Layer w = weights.layer(l);
        int n = st.rows(), d = c.hidden();
        if (n * d > ws.h.length) throw new IllegalStateException("layer " + l + " has " + n + " rows, more than the forward call started with");
        float[] x = st.data();
        float[] h = ws.h;
        rows(n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) rmsNorm(x, r * d, w.attnNorm(), h, r * d, d, c.rmsEps());
        });

        float[] q = ws.q, k = ws.k, v = ws.v;
        FusedGemv.forward(new Linear[] {w.q(), w.k(), w.v()}, h, n, new float[][] {q, k, v});
        int[] pos = st.positions();
        rows(n, (r0, r1) -> {
            if (w.qBias() != null) {
                addBias(q, r0, r1, w.qBias());
                addBias(k, r0, r1, w.kBias());
                addBias(v, r0, r1, w.vBias());
            }
            rope.apply(q, c.heads(), k, c.kvHeads(), r0, r1, pos);
        });
        kv.append(k, v, n, pos, 0);
        float[] attnOut = ws.attnOut;
        boolean attended = false;
        if (n == 1 && cacheHook.active(l)) {
            if (wantAttn) evict(l, q, kv, cacheHook, null); // the attention below then reports the kept entries' probabilities
            else attended = evict(l, q, kv, cacheHook, attnOut);
        }

        int len = kv.length();
        float[] probs = wantAttn ? new float[c.heads() * len] : null;
        if (!attended) Attention.causal(q, n, c.heads(), c.kvHeads(), c.headDim(), kv.keys(), kv.keyOffset(), kv.values(), kv.valueOffset(), len, attnOut, probs);
        float[] o = ws.o;
        w.o().forward(attnOut, n, o);
        float[] g = ws.g, u = ws.u;
        rows(n, (r0, r1) -> {
            for (int i = r0 * d; i < r1 * d; i++) x[i] += o[i];
            for (int r = r0; r < r1; r++) rmsNorm(x, r * d, w.ffnNorm(), h, r * d, d, c.rmsEps());
        });
        FusedGemv.forward(new Linear[] {w.gate(), w.up()}, h, n, new float[][] {g, u});
        int f = c.ffn();
        rows(n, (r0, r1) -> Activations.siluMul(g, r0 * f, u, r0 * f, g, r0 * f, (r1 - r0) * f));
        w.down().forward(g, n, o);
        rows(n, (r0, r1) -> {
            for (int i = r0 * d; i < r1 * d; i++) x[i] += o[i];
        });
        return probs == null ? null : new AttentionRow(l, c.heads(), len, probs, kv.positions());
    }

    /**
     * Row-wise work between the matrix products (norms, biases, RoPE, residuals, SwiGLU): on the
     * pool for a prompt (at 512 tokens it was ~5 % of a single-threaded prefill), inline for a
     * few rows, where a dispatch costs more than the work.
     */
    private static void rows(int n, Parallel.RangeBody body) {
        if (n < PARALLEL_ROWS) body.run(0, n);
        else Parallel.forRange(n, body);
    }

    private static final int PARALLEL_ROWS = 8;

    /**
     * Scores the single new query against every entry, lets the hook evict, keeps the rest. With
     * {@code out}, also computes the step's attention output over the kept entries from the same
     * probabilities (renormalised) and returns true, so the keys are not scored twice.
     */
    private boolean evict(int l, float[] q, KvCache.Layer kv, CacheHook hook, float[] out) {
        DecoderConfig c = config;
        int len = kv.length();
        float[] probs = new float[c.heads() * len];
        Attention.rowProbabilities(q, c.heads(), c.kvHeads(), c.headDim(), kv.keys(), kv.keyOffset(), len, probs);
        float[] mean = new AttentionRow(l, c.heads(), len, probs, null).meanOverHeads();
        int[] gone = hook.evict(l, kv, mean);
        boolean[] drop = new boolean[len];
        for (int g : gone) {
            if (g < 0 || g >= len - 1) throw new IllegalStateException("cache hook evicted entry " + g + " of " + len + " (the new token is " + (len - 1) + ")");
            drop[g] = true;
        }
        if (out != null) Attention.rowContext(probs, c.heads(), c.kvHeads(), c.headDim(), kv.values(), kv.valueOffset(), len, gone.length == 0 ? null : drop, out);
        if (gone.length > 0) {
            int[] keep = new int[len - gone.length];
            for (int i = 0, j = 0; i < len; i++) if (!drop[i]) keep[j++] = i;
            kv.retain(keep);
        }
        return out != null;
    }

    /** y[r] += b for rows [r0, r1) of y (row length b.length). */
    private static void addBias(float[] y, int r0, int r1, float[] b) {
        int m = b.length;
        for (int r = r0; r < r1; r++) for (int i = 0; i < m; i++) y[r * m + i] += b[i];
    }

    /** RMSNorm: x * w / sqrt(mean(x^2) + eps), the mean accumulated in double as ggml does. */
    static void rmsNorm(float[] x, int xo, float[] w, float[] out, int oo, int d, float eps) {
        double ss = 0;
        for (int i = 0; i < d; i++) ss += (double) x[xo + i] * x[xo + i];
        float scale = (float) (1.0 / Math.sqrt((float) (ss / d) + eps));
        for (int i = 0; i < d; i++) out[oo + i] = x[xo + i] * scale * w[i];
    }
}
