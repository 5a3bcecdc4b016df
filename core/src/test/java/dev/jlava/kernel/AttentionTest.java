package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention.causal vs a double-precision loop over the definition (scores, causal mask,
 * softmax, weighted values), for grouped-query heads, a cache prefix before the new rows, query
 * counts across and between tiles ({@link Attention#BLOCK}), and the last row's probabilities.
 */
class AttentionTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest(name = "n={0} prefix={1} heads={2} kv={3} dim={4} threads={5}")
    @CsvSource({
        "1, 0, 2, 1, 8, 1", "1, 37, 4, 2, 16, 2", "5, 3, 2, 2, 8, 2",
        "95, 0, 2, 1, 16, 2", "96, 0, 2, 1, 16, 1", "97, 0, 2, 1, 16, 2",
        "200, 13, 4, 2, 24, 2", "301, 0, 14, 2, 64, 2", "193, 250, 3, 1, 20, 2"})
    void matchesTheDefinition(int n, int prefix, int heads, int kvHeads, int headDim, int threads) {
        Parallel.setThreads(threads);
        check(n, prefix, heads, kvHeads, headDim, new Random(n * 31L + prefix));
    }

    @Property(tries = 25)
    void randomShapes(@ForAll @IntRange(min = 1, max = 220) int n, @ForAll @IntRange(min = 0, max = 60) int prefix,
                      @ForAll @IntRange(min = 1, max = 3) int kvHeads, @ForAll @IntRange(min = 1, max = 3) int group,
                      @ForAll @IntRange(min = 1, max = 40) int headDim) {
        check(n, prefix, kvHeads * group, kvHeads, headDim, new Random(n * 1_000L + prefix * 10L + headDim));
    }

    static void check(int n, int prefix, int heads, int kvHeads, int headDim, Random rnd) {
        int len = prefix + n, qStride = heads * headDim, kvStride = kvHeads * headDim;
        float[] q = Naive.gaussian(rnd, n * qStride, 1.0);
        float[] k = Naive.gaussian(rnd, len * kvStride, 1.0);
        float[] v = Naive.gaussian(rnd, len * kvStride, 1.0);
        float[] out = new float[n * qStride];
        float[] last = new float[heads * len];
        java.util.Arrays.fill(out, Float.NaN);
        Attention.causal(q, n, heads, kvHeads, headDim, k, v, len, out, last);

        double scale = 1 / Math.sqrt(headDim);
        int group = heads / kvHeads;
        double worst = 0, worstP = 0;
        for (int h = 0; h < heads; h++) {
            int g = h / group;
            for (int i = 0; i < n; i++) {
                int visible = prefix + i + 1;
                double[] p = new double[visible];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < visible; j++) {
                    double s = 0;
                    for (int e = 0; e < headDim; e++) s += (double) q[i * qStride + h * headDim + e] * k[j * kvStride + g * headDim + e];
                    p[j] = s * scale;
                    max = Math.max(max, p[j]);
                }
                for (int j = 0; j < visible; j++) sum += p[j] = Math.exp(p[j] - max);
                for (int j = 0; j < visible; j++) p[j] /= sum;
                for (int e = 0; e < headDim; e++) {
                    double o = 0, mag = 0;
                    for (int j = 0; j < visible; j++) {
                        o += p[j] * v[j * kvStride + g * headDim + e];
                        mag += p[j] * Math.abs(v[j * kvStride + g * headDim + e]);
                    }
                    worst = Math.max(worst, Math.abs(out[i * qStride + h * headDim + e] - o) / (mag + 1e-6));
                }
                if (i == n - 1) {
                    for (int j = 0; j < visible; j++) worstP = Math.max(worstP, Math.abs(last[h * len + j] - p[j]));
                }
            }
        }
        // float32 scores of |q.k| up to ~headDim before exp: relative errors of a few 1e-6 times the score scale.
        assertThat(worst).as("context, n=%d prefix=%d heads=%d/%d dim=%d", n, prefix, heads, kvHeads, headDim).isLessThan(2e-5 * Math.max(1, Math.sqrt(headDim)));
        assertThat(worstP).as("last-row probabilities").isLessThan(1e-5);
    }
}
