package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decode step's attention (one query row, {@link DecodeAttention}) against the double-precision
 * definition in {@link AttentionTest#check}: caches shorter than, equal to and across
 * {@link DecodeAttention#CHUNK} and the four-key score blocks, head sizes that are and are not
 * whole vectors; and results that do not depend on the thread count or on whether the caller
 * wants the probabilities.
 */
class DecodeAttentionTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest(name = "len={0} heads={1} kv={2} dim={3} threads={4}")
    @CsvSource({
        "1, 2, 1, 8, 1", "3, 4, 2, 16, 2", "5, 14, 2, 64, 2", "127, 14, 2, 64, 1", "128, 14, 2, 64, 2",
        "129, 14, 2, 64, 2", "257, 3, 1, 20, 2", "700, 14, 2, 64, 2", "391, 6, 3, 32, 1", "260, 4, 1, 80, 2"})
    void matchesTheDefinition(int len, int heads, int kvHeads, int headDim, int threads) {
        Parallel.setThreads(threads);
        AttentionTest.check(1, len - 1, heads, kvHeads, headDim, new Random(len * 7L + headDim));
    }

    @Property(tries = 30)
    void randomShapes(@ForAll @IntRange(min = 1, max = 600) int len, @ForAll @IntRange(min = 1, max = 3) int kvHeads,
                      @ForAll @IntRange(min = 1, max = 7) int group, @ForAll @IntRange(min = 1, max = 80) int headDim) {
        AttentionTest.check(1, len - 1, kvHeads * group, kvHeads, headDim, new Random(len * 1_000L + headDim));
    }

    /**
     * The two halves used by a step that evicts entries: probabilities over all entries, then the
     * output over the kept ones from those probabilities, renormalised; against the definition on
     * the kept entries alone (float64), and with nothing dropped equal to the one-call step.
     */
    @Property(tries = 40)
    void contextOverKeptEntriesEqualsAttentionOnTheCompactedCache(@ForAll @IntRange(min = 2, max = 400) int len,
            @ForAll @IntRange(min = 1, max = 2) int kvHeads, @ForAll @IntRange(min = 1, max = 7) int group,
            @ForAll @IntRange(min = 1, max = 72) int headDim, @ForAll @IntRange(min = 0, max = 90) int dropPercent) {
        int heads = kvHeads * group, kvStride = kvHeads * headDim;
        Random rnd = new Random(len * 31L + headDim * 7L + dropPercent);
        float[] q = Naive.gaussian(rnd, heads * headDim, 1.0), k = Naive.gaussian(rnd, len * kvStride, 1.0), v = Naive.gaussian(rnd, len * kvStride, 1.0);
        boolean[] drop = new boolean[len];
        for (int j = 0; j < len - 1; j++) drop[j] = rnd.nextInt(100) < dropPercent; // the newest entry stays
        float[] probs = new float[heads * len], out = new float[heads * headDim];
        Attention.rowProbabilities(q, heads, kvHeads, headDim, k, len, probs);
        Attention.rowContext(probs, heads, kvHeads, headDim, v, len, drop, out);
        double worst = 0;
        for (int h = 0; h < heads; h++) {
            int g = h / group;
            double max = Double.NEGATIVE_INFINITY;
            double[] s = new double[len];
            for (int j = 0; j < len; j++) {
                if (drop[j]) continue;
                for (int e = 0; e < headDim; e++) s[j] += (double) q[h * headDim + e] * k[j * kvStride + g * headDim + e];
                s[j] /= Math.sqrt(headDim);
                max = Math.max(max, s[j]);
            }
            double sum = 0;
            for (int j = 0; j < len; j++) if (!drop[j]) sum += s[j] = Math.exp(s[j] - max);
            for (int e = 0; e < headDim; e++) {
                double o = 0, mag = 0;
                for (int j = 0; j < len; j++) {
                    if (drop[j]) continue;
                    o += s[j] / sum * v[j * kvStride + g * headDim + e];
                    mag += s[j] / sum * Math.abs(v[j * kvStride + g * headDim + e]);
                }
                worst = Math.max(worst, Math.abs(out[h * headDim + e] - o) / (mag + 1e-6));
            }
        }
        assertThat(worst).isLessThan(2e-5 * Math.max(1, Math.sqrt(headDim)));

        float[] probs2 = new float[heads * len], split = new float[heads * headDim], whole = new float[heads * headDim];
        Attention.rowProbabilities(q, heads, kvHeads, headDim, k, len, probs2);
        Attention.rowContext(probs2, heads, kvHeads, headDim, v, len, null, split);
        Attention.causal(q, 1, heads, kvHeads, headDim, k, v, len, whole, null);
        assertThat(split).as("nothing dropped: the same bits as the one-call step").isEqualTo(whole);
    }

    @Test
    void sameBitsForAnyThreadCountAndWithOrWithoutProbabilities() {
        int len = 1000, heads = 14, kvHeads = 2, headDim = 64;
        Random rnd = new Random(5);
        float[] q = Naive.gaussian(rnd, heads * headDim, 1.0), k = Naive.gaussian(rnd, len * kvHeads * headDim, 1.0);
        float[] v = Naive.gaussian(rnd, len * kvHeads * headDim, 1.0);
        float[][] outs = new float[3][heads * headDim], probs = new float[2][heads * len];
        Parallel.setThreads(1);
        Attention.causal(q, 1, heads, kvHeads, headDim, k, v, len, outs[0], probs[0]);
        Parallel.setThreads(2);
        Attention.causal(q, 1, heads, kvHeads, headDim, k, v, len, outs[1], probs[1]);
        Attention.causal(q, 1, heads, kvHeads, headDim, k, v, len, outs[2], null);
        assertThat(outs[1]).isEqualTo(outs[0]);
        assertThat(probs[1]).isEqualTo(probs[0]);
        assertThat(outs[2]).isEqualTo(outs[0]);
        assertThat(outs[0]).doesNotContain(Float.NaN);
    }
}
