package dev.jlava.vision;

import dev.jlava.kernel.Linear;
import dev.jlava.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Bidirectional multi-head attention of one image's tokens (no mask, every token sees all):
 * per head, scores = Q_h K_h^T, softmax(scores * head_dim^-0.5), context = P V_h. Both products
 * are handed to {@link Linear} (K_h and V_h^T play the weight), so they run on the GEMM kernel.
 * One head's T x T probabilities are held at a time (2 MB for SigLIP's 729 tokens).
 */
final class SelfAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final int tokens, heads, headDim;
    private final float scale;
    private final float[] qh, kh, vt, probs, ctx;

    SelfAttention(VisionConfig c) {
        this.tokens = c.tokens();
        this.heads = c.heads();
        this.headDim = c.headDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.qh = new float[tokens * headDim];
        this.kh = new float[tokens * headDim];
        this.vt = new float[headDim * tokens];
        this.probs = new float[tokens * tokens];
        this.ctx = new float[tokens * headDim];
    }

    /**
     * @param q, k, v  [rows][heads*headDim] projections (biases added); this frame's rows start at {@code off}
     * @param out      receives the context rows at the same offset
     * @param tap      the deepest layer's observer, or null
     */
    void forward(float[] q, float[] k, float[] v, int off, float[] out, AttentionTap tap) {
        int t = tokens, d = heads * headDim;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < t; i++) {
                int src = off + i * d + h * headDim;
                System.arraycopy(q, src, qh, i * headDim, headDim);
                System.arraycopy(k, src, kh, i * headDim, headDim);
                for (int e = 0; e < headDim; e++) vt[e * t + i] = v[src + e];
            }
            // Linear.of per use: an optimized kernel may pack the "weight" when it is created.
            Linear.of(Tensor.ofFloats("attn.k_head", kh, t, headDim)).forward(qh, t, probs);
            for (int i = 0; i < t; i++) softmax(probs, i * t, t, scale);
            if (tap != null && tap.wantsProbabilities()) tap.probabilities(probs);
            Linear.of(Tensor.ofFloats("attn.v_head_t", vt, headDim, t)).forward(probs, t, ctx);
            for (int i = 0; i < t; i++) System.arraycopy(ctx, i * headDim, out, off + i * d + h * headDim, headDim);
        }
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
