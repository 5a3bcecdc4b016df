package dev.jlava.cost;

/**
 * FLOPs of a decoder, two ways.
 *
 * <p><b>Paper convention</b> (FastV §4.2, VisionZip §2.1, DyCoke supp. §C; HoliTom's maintainer in
 * cokeshao/HoliTom#2; baselines.md §1, holitom.md §13): one layer on n tokens costs
 * f(n) = 4nd² + 2n²d + 2ndm (Q/K/V/O as full multi-head, scores plus weighted sum, a two-matrix
 * FFN; GQA, SwiGLU's third matrix, norms, softmax and the LM head ignored), a prefill Σ_l f(n_l),
 * and R_out generated tokens add l·R_out·((4d² + 2dm) + 2(d·n + d·(R_out+1)/2)). It reproduces
 * the papers' numbers; it is a convention, not a count.
 *
 * <p><b>Exact</b> ({@link Architecture}): 2 FLOPs per multiply-add of every matrix product in a
 * layer, with the real head counts (GQA K/V), the real FFN (three matrices when gated), causal
 * attention counting only the keys each query sees, and the LM head for the positions whose
 * logits are computed. Norms, RoPE, softmax, activations and residual adds are left out (they are
 * O(n·d), below 1% for these models).
 */
public final class FlopCounter {
    private FlopCounter() {}

    // ---- paper convention

    /** f(n) = 4nd² + 2n²d + 2ndm for one layer on n tokens (n may be fractional for schedule averages). */
    public static double paperLayer(double n, double d, double m) {
        return 4 * n * d * d + 2 * n * n * d + 2 * n * d * m;
    }

    /** Σ_l f(n_l): a prefill whose layer l runs on {@code tokensPerLayer[l]} tokens. */
    public static double paperPrefill(double[] tokensPerLayer, double d, double m) {
        double s = 0;
        for (double n : tokensPerLayer) s += paperLayer(n, d, m);
        return s;
    }

    /** l·f(n): a dense prefill. */
    public static double paperPrefill(int layers, double n, double d, double m) {
        return layers * paperLayer(n, d, m);
    }

    /**
     * The decode term for {@code rOut} generated tokens, per layer with that layer's prompt length
     * n_l in its KV cache: Σ_l R_out·((4d² + 2dm) + 2(d·n_l + d·(R_out+1)/2)).
     * With all n_l = n this is DyCoke's / HoliTom's l·R_out·(…).
     */
    public static double paperDecode(double[] promptTokensPerLayer, double d, double m, int rOut) {
        double s = 0;
        for (double n : promptTokensPerLayer) s += rOut * ((4 * d * d + 2 * d * m) + 2 * (d * n + d * (rOut + 1) / 2.0));
        return s;
    }

    public static double paperDecode(int layers, double n, double d, double m, int rOut) {
        return paperDecode(filled(layers, n), d, m, rOut);
    }

    /** Prefill plus {@code rOut} decode steps, paper convention (HoliTom#2's total). */
    public static double paperTotal(double[] tokensPerLayer, double d, double m, int rOut) {
        return paperPrefill(tokensPerLayer, d, m) + paperDecode(tokensPerLayer, d, m, rOut);
    }

    /**
     * FastV's FLOPs ratio (baselines.md §1.2): [K·f(n) + (T−K)·f(n̂)] / [T·f(n)] with n̂ = n − R·N_img,
     * the image tokens pruned from layer K on.
     */
    public static double fastvRatio(int layers, int k, double r, double n, double nImg, double d, double m) {
        double nHat = n - r * nImg;
        return (k * paperLayer(n, d, m) + (layers - k) * paperLayer(nHat, d, m)) / (layers * paperLayer(n, d, m));
    }

    /** An array of {@code layers} copies of {@code n}. */
    public static double[] filled(int layers, double n) {
        double[] a = new double[layers];
        java.util.Arrays.fill(a, n);
        return a;
    }

    // ---- exact count

    /**
     * A decoder's shape.
     *
     * @param gatedFfn SwiGLU (gate, up, down: three matrices) rather than a two-matrix MLP
     */
    /** {@code layers} copies of {@code n}, as int counts. */
    public static int[] filledInt(int layers, int n) {
        int[] a = new int[layers];
        java.util.Arrays.fill(a, n);
        return a;
    }

    public record Architecture(int hidden, int ffn, int heads, int kvHeads, int headDim, int layers, int vocab, boolean gatedFfn) {
        public Architecture {
            if (hidden < 1 || ffn < 1 || heads < 1 || kvHeads < 1 || headDim < 1 || layers < 1 || vocab < 1 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("not a decoder shape: hidden " + hidden + ", ffn " + ffn + ", heads " + heads + "/" + kvHeads
                        + ", head_dim " + headDim + ", layers " + layers + ", vocab " + vocab);
            }
        }

        /** Qwen2-7B (LLaVA-OneVision-7B, LLaVA-Video-7B). */
        public static final Architecture QWEN2_7B = new Architecture(3584, 18944, 28, 4, 128, 28, 152064, true);
        /** Qwen2-0.5B (LLaVA-OneVision-0.5B). */
        public static final Architecture QWEN2_0_5B = new Architecture(896, 4864, 14, 2, 64, 24, 151936, true);
        /** Vicuna-7B (LLaVA-1.5-7B). */
        public static final Architecture VICUNA_7B = new Architecture(4096, 11008, 32, 32, 128, 32, 32064, true);
        /** Vicuna-13B (LLaVA-1.5-13B). */
        public static final Architecture VICUNA_13B = new Architecture(5120, 13824, 40, 40, 128, 40, 32064, true);

        /** FLOPs of the position-wise parts of one layer for one token: projections and FFN. */
        double perTokenDense() {
            double q = (double) hidden * heads * headDim, kv = 2.0 * hidden * kvHeads * headDim, o = (double) heads * headDim * hidden;
            double ffnMacs = (gatedFfn ? 3.0 : 2.0) * hidden * ffn;
            return 2 * (q + kv + o + ffnMacs);
        }

        /** FLOPs of one query attending to {@code keys} keys (scores and weighted sum, all query heads). */
        double attention(double keys) {
            return 2 * 2.0 * heads * headDim * keys;
        }
    }

    /**
     * Exact prefill FLOPs when layer l runs on {@code tokensPerLayer[l]} tokens, causal attention
     * among them, plus the LM head on {@code logitPositions} positions (1 to sample the first token).
     */
    public static double exactPrefill(Architecture a, int[] tokensPerLayer, int logitPositions) {
        if (tokensPerLayer.length != a.layers()) throw new IllegalArgumentException(tokensPerLayer.length + " layer counts for " + a.layers() + " layers");
        double s = 0;
        for (int n : tokensPerLayer) s += n * a.perTokenDense() + a.attention(n * (n + 1) / 2.0);
        return s + lmHead(a, logitPositions);
    }

    /**
     * Exact FLOPs of one decoding step: the new token through every layer, attending to
     * {@code keysPerLayer[l]} keys there (the cache entries it sees plus itself), then the LM head.
     */
    public static double exactDecodeStep(Architecture a, int[] keysPerLayer) {
        if (keysPerLayer.length != a.layers()) throw new IllegalArgumentException(keysPerLayer.length + " layer counts for " + a.layers() + " layers");
        double s = 0;
        for (int k : keysPerLayer) s += a.perTokenDense() + a.attention(k);
        return s + lmHead(a, 1);
    }

    public static double lmHead(Architecture a, int positions) {
        return 2.0 * a.hidden() * a.vocab() * positions;
    }
}
