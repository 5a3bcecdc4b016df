package dev.jlava.vision;

import dev.jlava.kernel.EncoderAttention;
import dev.jlava.kernel.Gemm;
import dev.jlava.kernel.Parallel;
import dev.jlava.kernel.VectorExp;

/**
 * Bidirectional multi-head attention of one image's tokens (no mask, every token sees all):
 * per head, scores = Q_h K_h^T, softmax(scores * head_dim^-0.5), context = P V_h. Both products
 * run on the GEMM kernel straight from the [rows][heads*headDim] projections (a head is a column
 * slice, addressed by offset and leading dimension), and the context lands in its slice of out.
 *
 * <p>Heads run in parallel, whole heads per thread: a head's products (729 x 729 x 72 for SigLIP)
 * are too small to split well over threads, and its softmax and copies would otherwise run on
 * one thread. A head runs in blocks of queries ({@link EncoderAttention}). When the tap wants the
 * probabilities, each head's T x T probabilities are formed whole as well (2 MB for 729 tokens),
 * heads in order so that the tap sums them in a fixed order.
 */
final class SelfAttention {
    /**
     * Heads whose probabilities nobody reads run {@link EncoderAttention} (query blocks, scores
     * transposed, in L2); {@code -Djlava.vision.blockedAttention=false} runs every head through
     * the whole T x T probabilities instead (for measuring).
     */
    private static final boolean BLOCKED = Boolean.parseBoolean(System.getProperty("jlava.vision.blockedAttention", "true"));
    private static final ThreadLocal<float[]> PROBS = ThreadLocal.withInitial(() -> new float[0]);

    private final int tokens, heads, headDim;
    private final float scale;

    SelfAttention(VisionConfig c) {
        this.tokens = c.tokens();
        this.heads = c.heads();
        this.headDim = c.headDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * @param q, k, v  [rows][heads*headDim] projections (biases added); this frame's rows start at {@code off}
     * @param out      receives the context rows at the same offset
     * @param tap      the deepest layer's observer, or null
     */
    void forward(float[] q, float[] k, float[] v, int off, float[] out, AttentionTap tap) {
        boolean tapped = tap != null && tap.wantsProbabilities();
        if (BLOCKED) {
            // heads claimed as threads finish: a thread slowed by a neighbour takes fewer (see GemmKernel#COLUMN_PIECES)
            int d = heads * headDim;
            Parallel.forRangeDynamic(heads, 1, 4, (h0, h1) -> {
                for (int h = h0; h < h1; h++) EncoderAttention.head(q, k, v, out, off + h * headDim, d, tokens, headDim, scale);
            });
            if (!tapped) return;
        }
        if (tapped) {
            // the tap's probabilities formed apart from the context, so that asking for them never
            // changes a feature (with BLOCKED the context above is the only one written)
            float[] probs = probabilities();
            for (int h = 0; h < heads; h++) {
                probabilities(h, q, k, off, probs);
                if (!BLOCKED) context(h, v, off, out, probs);
                tap.probabilities(probs);
            }
            return;
        }
        Parallel.forRangeDynamic(heads, 1, 4, (h0, h1) -> {
            float[] probs = probabilities();
            for (int h = h0; h < h1; h++) {
                probabilities(h, q, k, off, probs);
                context(h, v, off, out, probs);
            }
        });
    }

    /** probs receives head h's T x T softmax probabilities. */
    private void probabilities(int h, float[] q, float[] k, int off, float[] probs) {
        int t = tokens, d = heads * headDim, at = off + h * headDim;
        Gemm.abT(q, at, d, k, at, d, probs, 0, t, t, t, headDim, 1f, false);
        for (int i = 0; i < t; i++) VectorExp.softmax(probs, i * t, t, scale);
    }

    /** out's slice of head h = probs V_h. */
    private void context(int h, float[] v, int off, float[] out, float[] probs) {
        int t = tokens, d = heads * headDim, at = off + h * headDim;
        Gemm.ab(probs, 0, t, v, at, d, out, at, d, t, headDim, t, 1f, false);
    }

    private float[] probabilities() {
        float[] p = PROBS.get();
        if (p.length < tokens * tokens) {
            p = new float[tokens * tokens];
            PROBS.set(p);
        }
        return p;
    }
}
