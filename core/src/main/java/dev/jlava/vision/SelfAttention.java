package dev.jlava.vision;

import dev.jlava.kernel.Gemm;
import dev.jlava.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Bidirectional multi-head attention of one image's tokens (no mask, every token sees all):
 * per head, scores = Q_h K_h^T, softmax(scores * head_dim^-0.5), context = P V_h, both products on
 * the packed GEMM reading the strided projections in place. Heads run in parallel, one T x T
 * probability buffer per worker (2 MB for SigLIP's 729 tokens); when the deepest layer's
 * attention is observed, heads run in order so the observer sums them deterministically.
 */
final class SelfAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final int tokens, heads, headDim;
    private final float scale;
    private final float[] probs;

    SelfAttention(VisionConfig c) {
        this.tokens = c.tokens();
        this.heads = c.heads();
        this.headDim = c.headDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.probs = new float[tokens * tokens];
    }

    /**
     * @param q, k, v  [rows][heads*headDim] projections (biases added); this frame's rows start at {@code off}
     * @param out      receives the context rows at the same offset
     * @param tap      the deepest layer's observer, or null
     */
    void forward(float[] q, float[] k, float[] v, int off, float[] out, AttentionTap tap) {
        if (tap != null && tap.wantsProbabilities()) {
            // the tap accumulates over heads in order: one head at a time, each product parallel inside
            for (int h = 0; h < heads; h++) head(h, q, k, v, off, out, probs, tap);
            return;
        }
        // heads are independent: one per worker, products serial inside (nested Parallel calls run on the caller)
        Parallel.forRange(heads, (h0, h1) -> {
            float[] p = h0 == 0 ? probs : new float[tokens * tokens];
            for (int h = h0; h < h1; h++) head(h, q, k, v, off, out, p, null);
        });
    }

    /** One head: S = Q_h K_h^T read in place from the strided projections, softmax, context = P V_h written in place. */
    private void head(int h, float[] q, float[] k, float[] v, int off, float[] out, float[] p, AttentionTap tap) {
        int t = tokens, d = heads * headDim, col = off + h * headDim;
        Gemm.abT(q, col, d, k, col, d, p, 0, t, t, t, headDim, 1f, false);
        for (int i = 0; i < t; i++) softmax(p, i * t, t, scale);
        if (tap != null) tap.probabilities(p);
        Gemm.ab(p, 0, t, v, col, d, out, col, d, t, headDim, t, 1f, false);
    }

    /** In place: a[i] = exp(scale (a[i] - max)) / sum, float32 like PyTorch's softmax; deterministic. */
    static void softmax(float[] a, int off, int n, float scale) {
        int vend = off + S.loopBound(n), end = off + n, i;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (i = off; i < vend; i += S.length()) vmax = vmax.max(FloatVector.fromArray(S, a, i));
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < end; i++) max = Math.max(max, a[i]);
        FloatVector vsum = FloatVector.zero(S);
        for (i = off; i < vend; i += S.length()) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(S, a, i).sub(max).mul(scale));
            e.intoArray(a, i);
            vsum = vsum.add(e);
        }
        double sum = 0; // lanes in a fixed order: reduceLanes(ADD) may associate differently once compiled
        for (int l = 0; l < S.length(); l++) sum += vsum.lane(l);
        for (; i < end; i++) {
            float e = VectorExp.exp((a[i] - max) * scale);
            a[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (i = off; i < end; i++) a[i] *= inv;
    }
}
