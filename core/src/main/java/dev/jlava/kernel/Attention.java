package dev.jlava.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention of n new query rows against a layer's cache, which already
 * holds the new rows' keys/values at its end. Memory is O(cache length) per worker: scores of one
 * query row at a time, never an n x n matrix. On request it returns the probabilities of the last
 * query row for every head (what FastV, PVTP and HoliTom score tokens with).
 */
public final class Attention {
    private Attention() {}

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
        int tasks = heads * n;
        {
            int start = 0, end = tasks;
            float[] scores = new float[len];
            for (int t = start; t < end; t++) {
                int h = t / n, i = t % n;
                int g = h / group;
                int qo = i * qStride + h * headDim;
                int visible = first + i + 1;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    float s = dot(q, qo, kc, j * kvStride + g * headDim, headDim) * scale;
                    scores[j] = s;
                    if (s > max) max = s;
                }
                float sum = 0;
                for (int j = 0; j < visible; j++) {
                    float e = (float) Math.exp(scores[j] - max);
                    scores[j] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                int oo = i * qStride + h * headDim;
                java.util.Arrays.fill(out, oo, oo + headDim, 0f);
                for (int j = 0; j < visible; j++) {
                    float p = scores[j] * inv;
                    scores[j] = p;
                    axpy(p, vc, j * kvStride + g * headDim, out, oo, headDim);
                }
                if (lastProbs != null && i == n - 1) {
                    System.arraycopy(scores, 0, lastProbs, h * len, visible);
                }
            }
        }
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float s = 0;
        if (n >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (; i <= n - S.length(); i += S.length()) {
                acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    private static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        if (n >= S.length()) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            for (; i <= n - S.length(); i += S.length()) {
                FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }
}
