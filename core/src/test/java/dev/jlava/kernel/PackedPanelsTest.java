package dev.jlava.kernel;

import static dev.jlava.kernel.GemmKernel.NR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Weights packed at load ({@link PackedPanels}, {@link Linear#forGemm}) against the same GEMM
 * packing per call: the panels are the same floats in the same order, so the products must be
 * bit-identical, across K-blocks (k > KC), ragged last panels, ragged row strips, the column and
 * the row split of the threads, and the GEMV path for few rows. One shape is also checked against
 * the float64 definition, so that agreeing with the per-call path is not agreeing with a shared error.
 */
class PackedPanelsTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest(name = "{0} m={1} out={2} in={3} threads={4}")
    @CsvSource({
        "F32, 729, 100, 96, 2", "F32, 13, 33, 2400, 2", "F32, 40, 4, 64, 2", "F32, 12, 70, 1184, 1",
        "F16, 50, 97, 608, 2", "BF16, 24, 2 ,1200, 2", "BF16, 100, 161, 77, 1", "F16, 7, 40, 300, 2",
        "F32, 1, 19, 33, 2", "F32, 200, 300, 2401, 2"})
    void sameAsPackingPerCall(DType dtype, int m, int out, int in, int threads) {
        Parallel.setThreads(threads);
        check(dtype, m, out, in, new Random(m * 131L + out * 7L + in));
    }

    @Property(tries = 30)
    void randomShapes(@ForAll @IntRange(min = 1, max = 80) int m, @ForAll @IntRange(min = 1, max = 101) int out,
                      @ForAll @IntRange(min = 1, max = 2500) int in, @ForAll @IntRange(min = 0, max = 2) int type,
                      @ForAll @IntRange(min = 1, max = 2) int threads) {
        Parallel.setThreads(threads);
        check(new DType[] {DType.F32, DType.F16, DType.BF16}[type], m, out, in, new Random(m * 1000L + out * 10L + in));
    }

    private static void check(DType dtype, int m, int out, int in, Random rnd) {
        Tensor w = WeightCodec.tensor("w", dtype, Naive.gaussian(rnd, out * in, 0.05), out, in);
        float[] x = Naive.gaussian(rnd, m * in, 1.0);
        float[] perCall = new float[m * out], packed = new float[m * out];
        java.util.Arrays.fill(packed, Float.NaN);
        new WeightLinear(w, false).forward(x, m, perCall);
        new WeightLinear(w, true).forward(x, m, packed);
        assertThat(packed).as("%s m=%d out=%d in=%d", dtype, m, out, in).containsExactly(perCall);
    }

    @Test
    void matchesTheDefinition() {
        Parallel.setThreads(2);
        int m = 61, out = 2 * NR + 3, in = 1300; // two K-blocks, a ragged panel, a ragged strip
        Random rnd = new Random(5);
        float[] wf = Naive.gaussian(rnd, out * in, 0.05), x = Naive.gaussian(rnd, m * in, 1.0);
        float[] y = new float[m * out];
        new WeightLinear(Tensor.ofFloats("w", wf, out, in), true).forward(x, m, y);
        double[] want = Naive.abT(x, 0, in, wf, 0, in, m, out, in);
        double[] scale = Naive.absAbT(x, 0, in, wf, 0, in, m, out, in);
        assertThat(Naive.maxRelError(y, 0, out, want, scale, m, out)).isLessThan(2e-6);
    }

    @Test
    void panelsCopiedOutEqualThePerCallPacker() {
        int n = NR + 5, k = 1300, kb = GemmKernel.kBlock(k);
        Random rnd = new Random(9);
        float[] b = Naive.gaussian(rnd, n * k, 1.0);
        GemmKernel.PanelSource perCall = (j0, nr, p0, kc, panel, off, s) -> {
            for (int kk = 0; kk < kc; kk++) {
                for (int r = 0; r < NR; r++) panel[off + kk * NR + r] = r < nr ? b[(j0 + r) * k + p0 + kk] : 0f;
            }
        };
        PackedPanels p = PackedPanels.of(perCall, n, k);
        GemmKernel.Scratch s = GemmKernel.scratch();
        for (int pc = 0; pc < k; pc += kb) {
            int kc = Math.min(kb, k - pc);
            for (int j = 0; j < n; j += NR) {
                float[] want = new float[kc * NR], got = new float[kc * NR];
                perCall.pack(j, Math.min(NR, n - j), pc, kc, want, 0, s);
                p.pack(j, Math.min(NR, n - j), pc, kc, got, 0, s);
                assertThat(got).as("panel %d at depth %d", j, pc).containsExactly(want);
            }
        }
        // Unaligned columns and depths are copied element by element; outside the packed matrix is an error.
        for (int col : new int[] {1, 3, NR - 1}) {
            for (int[] depth : new int[][] {{0, kb}, {5, 70}, {kb - 3, 9}, {k - 1, 1}}) {
                int nr = Math.min(NR, n - col - 2);
                float[] want = new float[depth[1] * NR], got = new float[depth[1] * NR];
                perCall.pack(col + 2, nr, depth[0], depth[1], want, 0, s);
                p.from(col).pack(2, nr, depth[0], depth[1], got, 0, s);
                assertThat(got).as("columns from %d, depth %d+%d", col + 2, depth[0], depth[1]).containsExactly(want);
            }
        }
        assertThatThrownBy(() -> p.pack(n - 3, NR, 0, kb, new float[kb * NR], 0, s)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> p.from(n + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A product over a window of packed columns (a step of keys) equals the product over those columns packed per call. */
    @Property(tries = 40)
    void columnWindows(@ForAll @IntRange(min = 1, max = 40) int m, @ForAll @IntRange(min = 1, max = 300) int n,
                       @ForAll @IntRange(min = 1, max = 90) int k, @ForAll @IntRange(min = 0, max = 299) int start,
                       @ForAll @IntRange(min = 1, max = 300) int width, @ForAll @IntRange(min = 1, max = 2) int threads) {
        Parallel.setThreads(threads);
        int c0 = Math.min(start, n - 1), w = Math.min(width, n - c0);
        Random rnd = new Random(n * 7919L + k * 31L + c0);
        float[] a = Naive.gaussian(rnd, m * k, 1.0), b = Naive.gaussian(rnd, n * k, 1.0);
        GemmKernel.PanelSource perCall = (j0, nr, p0, kc, panel, off, s) -> {
            for (int kk = 0; kk < kc; kk++) {
                for (int r = 0; r < NR; r++) panel[off + kk * NR + r] = r < nr ? b[(c0 + j0 + r) * k + p0 + kk] : 0f;
            }
        };
        GemmKernel.PanelSource all = (j0, nr, p0, kc, panel, off, s) -> {
            for (int kk = 0; kk < kc; kk++) {
                for (int r = 0; r < NR; r++) panel[off + kk * NR + r] = r < nr ? b[(j0 + r) * k + p0 + kk] : 0f;
            }
        };
        float[] want = new float[m * w], got = new float[m * w];
        GemmKernel.multiply(a, 0, k, perCall, want, 0, w, m, w, k, 0.5f, false);
        GemmKernel.multiply(a, 0, k, PackedPanels.of(all, n, k).from(c0), got, 0, w, m, w, k, 0.5f, false);
        assertThat(got).as("m=%d columns %d+%d of %d, k=%d", m, c0, w, n, k).containsExactly(want);
    }

    @Test
    void quantizedWeightsArePackedPerCall() {
        Random rnd = new Random(3);
        Tensor q = WeightCodec.tensor("w", DType.Q8_0, Naive.gaussian(rnd, 40 * 64, 0.05), 40, 64);
        assertThat(Linear.forGemm(q)).isInstanceOf(WeightLinear.class);
        float[] x = Naive.gaussian(rnd, 30 * 64, 1.0), a = new float[30 * 40], b = new float[30 * 40];
        Linear.forGemm(q).forward(x, 30, a);
        Linear.of(q).forward(x, 30, b);
        assertThat(a).containsExactly(b);
        assertThatThrownBy(() -> new WeightLinear(q, true)).hasMessageContaining("Q8_0").hasMessageContaining("not packed");
    }
}
