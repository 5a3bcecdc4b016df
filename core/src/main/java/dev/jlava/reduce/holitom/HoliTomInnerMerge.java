package dev.jlava.reduce.holitom;

import dev.jlava.reduce.TopK;
import java.util.Arrays;

/**
 * HoliTom's inner-LLM merge at layer k (spec §10, official {@code Qwen2Model_holitom.forward}),
 * as a pure function on the visual span: keep the round(n·(1−r)) span tokens the last prompt
 * token attends to most (layer k−1, head mean); fold every other span token into its most
 * cosine-similar kept token; drop it.
 *
 * <p>The folding is <b>sequential and order-dependent</b>, as in the official code: for u
 * ascending, h[τ(u)] ← (h[τ(u)] + h[u]) / 2 with the current, possibly already updated, h[τ(u)].
 * A kept token receiving u₁ &lt; … &lt; u_m ends as 2^−m·h + Σ 2^−(m−j+1)·h[u_j]. All similarities
 * are computed before any update. Set {@code meanMerge} for the order-free alternative (the plain
 * mean of the kept token and its members), which is not what the paper's code does.
 */
public final class HoliTomInnerMerge {
    private HoliTomInnerMerge() {}

    /**
     * All indices are into the span (0..n−1).
     *
     * @param topk        the kept tokens in descending attention order
     * @param nonTopk     the merged-away tokens, ascending
     * @param mergeTarget for each of those, the kept token it is folded into (−1 when nothing is kept:
     *                    round(n·(1−r)) = 0, where the official code would fail; the span is then dropped)
     * @param kept        the kept tokens, ascending
     * @param keptRows    their hidden rows after merging, in {@code kept} order
     * @param receivedMerge for each kept token (in {@code kept} order), whether anything was folded into it
     */
    public record Result(int[] topk, int[] nonTopk, int[] mergeTarget, int[] kept, float[][] keptRows, boolean[] receivedMerge) {}

    /** The faithful (sequential) merge. */
    public static Result merge(float[][] spanHidden, float[] spanAttention, double r) {
        return merge(spanHidden, spanAttention, r, false);
    }

    /**
     * @param spanHidden    hidden states entering layer k (output of layer k−1) of the span rows
     * @param spanAttention layer k−1's last-query attention probabilities (head mean) at the span rows
     * @param r             the fraction of span tokens merged away
     */
    public static Result merge(float[][] spanHidden, float[] spanAttention, double r, boolean meanMerge) {
        int n = spanHidden.length;
        if (spanAttention.length != n) throw new IllegalArgumentException(n + " span rows but " + spanAttention.length + " attention values");
        if (!(r >= 0 && r < 1)) throw new IllegalArgumentException("inner merge ratio " + r + " must be in [0, 1)");
        int keep = TokenBudget.innerKeep(n, r);
        int[] topk = TopK.largest(spanAttention, keep);
        boolean[] isTop = new boolean[n];
        for (int t : topk) isTop[t] = true;
        int[] nonTopk = new int[n - keep];
        for (int i = 0, u = 0; i < n; i++) if (!isTop[i]) nonTopk[u++] = i;

        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (float v : spanHidden[i]) s += (double) v * v;
            norm[i] = Math.sqrt(s);
        }
        int[] target = new int[nonTopk.length];
        for (int q = 0; q < nonTopk.length; q++) {
            float[] hu = spanHidden[nonTopk[q]];
            double best = Double.NEGATIVE_INFINITY;
            int arg = -1;
            for (int t : topk) {
                float[] ht = spanHidden[t];
                double dot = 0;
                for (int k = 0; k < hu.length; k++) dot += (double) hu[k] * ht[k];
                double cos = dot / (norm[nonTopk[q]] * norm[t]);
                if (arg < 0 || cos > best) {
                    best = cos;
                    arg = t;
                }
            }
            target[q] = arg;
        }

        float[][] rows = new float[n][];
        boolean[] received = new boolean[n];
        if (meanMerge) {
            int dim = n == 0 ? 0 : spanHidden[0].length;
            double[][] sum = new double[n][];
            int[] count = new int[n];
            for (int q = 0; q < nonTopk.length; q++) {
                int t = target[q];
                if (sum[t] == null) {
                    sum[t] = new double[dim];
                    for (int k = 0; k < dim; k++) sum[t][k] = spanHidden[t][k];
                    count[t] = 1;
                }
                for (int k = 0; k < dim; k++) sum[t][k] += spanHidden[nonTopk[q]][k];
                count[t]++;
                received[t] = true;
            }
            for (int t : topk) {
                if (sum[t] == null) continue;
                rows[t] = new float[dim];
                for (int k = 0; k < dim; k++) rows[t][k] = (float) (sum[t][k] / count[t]);
            }
        } else {
            for (int q = 0; q < nonTopk.length; q++) {
                int t = target[q];
                if (t < 0) continue;
                float[] cur = rows[t] != null ? rows[t] : spanHidden[t].clone();
                float[] hu = spanHidden[nonTopk[q]];
                for (int k = 0; k < cur.length; k++) cur[k] = (cur[k] + hu[k]) / 2f;
                rows[t] = cur;
                received[t] = true;
            }
        }
        int[] kept = topk.clone();
        Arrays.sort(kept);
        float[][] keptRows = new float[keep][];
        boolean[] keptReceived = new boolean[keep];
        for (int i = 0; i < keep; i++) {
            keptRows[i] = rows[kept[i]] != null ? rows[kept[i]] : spanHidden[kept[i]];
            keptReceived[i] = received[kept[i]];
        }
        return new Result(topk, nonTopk, target, kept, keptRows, keptReceived);
    }
}
