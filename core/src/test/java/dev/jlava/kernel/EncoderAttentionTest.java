package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * EncoderAttention.head vs a double-precision loop over the definition (every token sees every
 * token): token counts across and between query blocks (NR) and key strips (MR), head sizes that
 * do not fill the last MR strip, heads at an offset inside wider rows, and scores large enough
 * that an exp without the max shift would overflow.
 */
class EncoderAttentionTest {
    @ParameterizedTest(name = "t={0} heads={1} dim={2} head={3} amp={4}")
    @CsvSource({
        "1, 1, 8, 0, 1", "5, 2, 4, 1, 1", "6, 1, 6, 0, 1", "7, 3, 13, 2, 1",
        "31, 2, 16, 1, 1", "32, 1, 72, 0, 1", "33, 2, 20, 1, 1", "65, 4, 64, 3, 1",
        "97, 2, 72, 1, 1", "50, 2, 9, 0, 30"})
    void matchesTheDefinition(int t, int heads, int headDim, int head, double amplitude) {
        check(t, heads, headDim, head, amplitude, new Random(t * 131L + headDim));
    }

    @Property(tries = 30)
    void randomShapes(@ForAll @IntRange(min = 1, max = 150) int t, @ForAll @IntRange(min = 1, max = 4) int heads,
                      @ForAll @IntRange(min = 1, max = 40) int headDim, @ForAll @IntRange(min = 0, max = 3) int head) {
        check(t, heads, headDim, head % heads, 1, new Random(t * 1_000L + headDim * 10L + heads));
    }

    /** Twelve-key and twelve-dimension strips (AVX-512) give the same bits as six-row strips. */
    @Property(tries = 15)
    void twelveRowStripsMatchSixRowStripsBitForBit(@ForAll @IntRange(min = 1, max = 160) int t, @ForAll @IntRange(min = 1, max = 80) int headDim) {
        Random rnd = new Random(t * 977L + headDim);
        int stride = 2 * headDim;
        float[] q = Naive.gaussian(rnd, t * stride, 1), k = Naive.gaussian(rnd, t * stride, 1), v = Naive.gaussian(rnd, t * stride, 1);
        float[][] out = new float[2][t * stride];
        boolean before = GemmKernel.wide;
        try {
            for (int w = 0; w < 2; w++) {
                GemmKernel.wide = w == 0;
                EncoderAttention.head(q, k, v, out[w], headDim, stride, t, headDim, 0.3f);
            }
        } finally {
            GemmKernel.wide = before;
        }
        assertThat(out[0]).isEqualTo(out[1]);
        assertThat(out[0][headDim]).isNotZero();
    }

    static void check(int t, int heads, int headDim, int head, double amplitude, Random rnd) {
        int stride = heads * headDim, off = head * headDim;
        float[] q = Naive.gaussian(rnd, t * stride, amplitude);
        float[] k = Naive.gaussian(rnd, t * stride, 1.0);
        float[] v = Naive.gaussian(rnd, t * stride, 1.0);
        float[] out = new float[t * stride];
        java.util.Arrays.fill(out, Float.NaN);
        float scale = (float) (1 / Math.sqrt(headDim));
        EncoderAttention.head(q, k, v, out, off, stride, t, headDim, scale);

        double worst = 0;
        for (int i = 0; i < t; i++) {
            double[] p = new double[t];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < t; j++) {
                double s = 0;
                for (int e = 0; e < headDim; e++) s += (double) q[i * stride + off + e] * k[j * stride + off + e];
                p[j] = s * scale;
                max = Math.max(max, p[j]);
            }
            for (int j = 0; j < t; j++) sum += p[j] = Math.exp(p[j] - max);
            for (int e = 0; e < headDim; e++) {
                double o = 0, mag = 0;
                for (int j = 0; j < t; j++) {
                    o += p[j] / sum * v[j * stride + off + e];
                    mag += p[j] / sum * Math.abs(v[j * stride + off + e]);
                }
                worst = Math.max(worst, Math.abs(out[i * stride + off + e] - o) / (mag + 1e-6));
            }
            // the other heads' columns are not written
            for (int c = 0; c < stride; c++) {
                if (c < off || c >= off + headDim) assertThat(out[i * stride + c]).as("row %d column %d", i, c).isNaN();
            }
        }
        // float32 scores of |q.k| up to ~amplitude sqrt(headDim) scale before exp
        assertThat(worst).as("context, t=%d heads=%d dim=%d head=%d", t, heads, headDim, head)
                .isLessThan(2e-5 * Math.max(1, Math.sqrt(headDim)) * amplitude);
    }

    @Test
    void refusesAHeadOutsideTheArrays() {
        float[] a = new float[10 * 8];
        assertThatThrownBy(() -> EncoderAttention.head(a, a, a, new float[10 * 8 - 1], 4, 8, 10, 4, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> EncoderAttention.head(a, a, a, a, 0, 3, 10, 4, 1f))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
