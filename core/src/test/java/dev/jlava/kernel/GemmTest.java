package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gemm.abT / Gemm.ab vs double-precision loops, with offsets, padded leading dimensions, alpha and accumulation. */
class GemmTest {
    static final double TOL = 2e-6;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} threads={3}")
    @CsvSource({
        "1,1,1,1", "1,37,64,2", "2,5,3,1", "3,70,33,2", "5,17,100,2", "6,16,8,1", "7,33,65,2",
        "17,18,19,1", "17,18,19,2", "64,64,64,2", "97,130,300,2", "200,40,520,1", "13,500,7,2", "600,9,40,2",
        "13,40,1300,2", "20,17,2500,1"}) // k past one K-block (GemmKernel.KC), split unevenly
    void matchesDoubleReference(int m, int n, int k, int threads) {
        Parallel.setThreads(threads);
        check(m, n, k, new Random(m * 7919L + n * 31L + k));
    }

    @Property(tries = 60)
    void randomShapes(@ForAll @IntRange(min = 1, max = 40) int m, @ForAll @IntRange(min = 1, max = 80) int n,
                      @ForAll @IntRange(min = 1, max = 300) int k) {
        check(m, n, k, new Random(m + 1000L * n + 100000L * k));
    }

    static void check(int m, int n, int k, Random rnd) {
        int lda = k + rnd.nextInt(3), ldb = k + rnd.nextInt(3), ldc = n + rnd.nextInt(3);
        int aOff = rnd.nextInt(4), bOff = rnd.nextInt(4), cOff = rnd.nextInt(4);
        float[] a = Naive.gaussian(rnd, aOff + m * lda, 1);
        float[] b = Naive.gaussian(rnd, bOff + n * ldb, 1);
        float alpha = rnd.nextBoolean() ? 1f : (float) rnd.nextGaussian();
        double[] prod = Naive.abT(a, aOff, lda, b, bOff, ldb, m, n, k);
        double[] scale = Naive.absAbT(a, aOff, lda, b, bOff, ldb, m, n, k);
        float[] c0 = Naive.gaussian(rnd, cOff + m * ldc, 1);

        for (boolean accumulate : new boolean[] {false, true}) {
            double[] want = new double[m * n], tol = new double[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double old = accumulate ? c0[cOff + i * ldc + j] : 0;
                    want[i * n + j] = alpha * prod[i * n + j] + old;
                    tol[i * n + j] = Math.abs(alpha) * scale[i * n + j] + Math.abs(old);
                }
            float[] c = c0.clone();
            Gemm.abT(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, n, k, alpha, accumulate);
            assertThat(Naive.maxRelError(c, cOff, ldc, want, tol, m, n)).as("abT m=%d n=%d k=%d acc=%s", m, n, k, accumulate).isLessThan(TOL);
            assertPaddingUntouched(c, c0, cOff, ldc, m, n);

            // The same product through ab, with B stored [k][n].
            float[] bt = new float[2 + k * (n + 1)];
            float[] dense = Naive.transpose(b, bOff, ldb, n, k); // [k][n]
            for (int p = 0; p < k; p++) System.arraycopy(dense, p * n, bt, 2 + p * (n + 1), n);
            c = c0.clone();
            Gemm.ab(a, aOff, lda, bt, 2, n + 1, c, cOff, ldc, m, n, k, alpha, accumulate);
            assertThat(Naive.maxRelError(c, cOff, ldc, want, tol, m, n)).as("ab m=%d n=%d k=%d acc=%s", m, n, k, accumulate).isLessThan(TOL);
            assertPaddingUntouched(c, c0, cOff, ldc, m, n);
        }
    }

    /**
     * Twelve-row strips ({@link GemmKernel#micro12}, AVX-512) and six-row strips give the same bits:
     * each element is the same FMA chain over k either way. Shapes with several twelve-row strips,
     * a six-row strip, a ragged tail, ragged panels and two K-blocks with accumulation.
     */
    @Property(tries = 25)
    void twelveRowStripsMatchSixRowStripsBitForBit(@ForAll @IntRange(min = 12, max = 130) int m, @ForAll @IntRange(min = 1, max = 100) int n,
                                                   @ForAll @IntRange(min = 1, max = 1500) int k, @ForAll boolean accumulate) {
        Random rnd = new Random(m * 31L + n * 1009L + k);
        float[] a = Naive.gaussian(rnd, m * k, 1), b = Naive.gaussian(rnd, n * k, 1), c0 = Naive.gaussian(rnd, m * n, 1);
        float[][] out = new float[2][];
        boolean before = GemmKernel.wide;
        try {
            for (int v = 0; v < 2; v++) {
                GemmKernel.wide = v == 0;
                out[v] = c0.clone();
                Gemm.abT(a, 0, k, b, 0, k, out[v], 0, n, m, n, k, 0.5f, accumulate);
            }
        } finally {
            GemmKernel.wide = before;
        }
        assertThat(out[0]).isEqualTo(out[1]);
        assertThat(out[0]).isNotEqualTo(c0);
    }

    /** Elements of C outside the m x n window (offset, row padding) keep their old values. */
    static void assertPaddingUntouched(float[] c, float[] c0, int cOff, int ldc, int m, int n) {
        for (int i = 0; i < c.length; i++) {
            int r = (i - cOff) / ldc, col = (i - cOff) % ldc;
            boolean inside = i >= cOff && r < m && col < n;
            if (!inside) assertThat(c[i]).as("untouched element %d", i).isEqualTo(c0[i]);
        }
    }

    @Test
    void zeroDepthGivesZeroOrKeepsC() {
        float[] c = {5, 5, 5, 5};
        Gemm.abT(new float[0], 0, 0, new float[0], 0, 0, c, 0, 2, 2, 2, 0, 1f, true);
        assertThat(c).containsOnly(5f);
        Gemm.abT(new float[0], 0, 0, new float[0], 0, 0, c, 0, 2, 2, 2, 0, 1f, false);
        assertThat(c).containsOnly(0f);
        float[] big = new float[8 * 8];
        java.util.Arrays.fill(big, 3);
        Gemm.ab(new float[0], 0, 0, new float[0], 0, 8, big, 0, 8, 8, 8, 0, 1f, false);
        assertThat(big).containsOnly(0f);
    }

    @Test
    void rejectsOutOfBoundsOperands() {
        assertThatThrownBy(() -> Gemm.abT(new float[5], 0, 3, new float[6], 0, 3, new float[4], 0, 2, 2, 2, 3, 1f, false))
                .hasMessageContaining("A: 2x3");
        assertThatThrownBy(() -> Gemm.ab(new float[6], 0, 3, new float[6], 0, 2, new float[4], 0, 1, 2, 2, 3, 1f, false))
                .hasMessageContaining("C: 2x2");
    }
}
