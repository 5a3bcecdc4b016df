package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Fast Linear vs a double-precision dot over the stored weights (decoded by Tensor.getFloat,
 * the scalar reference decoder) and, for Q8_0/Q4_0, over the input quantized by the test's own
 * scalar version of llama.cpp's rule. Errors are measured relative to sum |w| |x| (float32
 * accumulation-order differences).
 */
class LinearTest {
    static final double TOL = 2e-6;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[][] shapes = { // m, out, in
            {1, 37, 96}, {2, 17, 160}, {3, 64, 32}, {5, 33, 224}, {6, 16, 64}, {7, 35, 96},
            {11, 200, 320}, {17, 70, 288}, {40, 50, 608}, {13, 129, 1056}};
        for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0})
            for (int threads : new int[] {1, 2})
                for (int[] s : shapes) out.add(Arguments.of(t, threads, s[0], s[1], s[2]));
        // Unaligned in-features for the unquantized types.
        for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16})
            for (int[] s : new int[][] {{1, 9, 5}, {2, 11, 31}, {9, 23, 77}, {19, 40, 301}}) out.add(Arguments.of(t, 2, s[0], s[1], s[2]));
        return out;
    }

    @ParameterizedTest(name = "{0} threads={1} m={2} out={3} in={4}")
    @MethodSource("cases")
    void matchesDoubleReference(DType dtype, int threads, int m, int out, int in) {
        Parallel.setThreads(threads);
        Random rnd = new Random(31L * m + 7L * out + in + dtype.ordinal());
        check(dtype, m, out, in, rnd);
    }

    @Property(tries = 40)
    void randomShapes(@ForAll @IntRange(min = 1, max = 30) int m, @ForAll @IntRange(min = 1, max = 70) int out,
                      @ForAll @IntRange(min = 1, max = 9) int blocks, @ForAll @IntRange(min = 0, max = 4) int type) {
        DType dtype = new DType[] {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0}[type];
        check(dtype, m, out, 32 * blocks, new Random(m * 1000L + out * 10L + blocks));
    }

    static void check(DType dtype, int m, int out, int in, Random rnd) {
        float[] wf = Naive.gaussian(rnd, out * in, 0.05);
        float[] x = Naive.gaussian(rnd, m * in, 1.0);
        Tensor w = WeightCodec.tensor("w", dtype, wf, out, in);
        float[] wd = w.toFloatArray(); // the stored values, decoded by the scalar reference decoder
        float[] xs = x.clone();
        if (dtype == DType.Q8_0 || dtype == DType.Q4_0) {
            for (int t = 0; t < m; t++) System.arraycopy(Naive.q8RoundTrip(x, t * in, in), 0, xs, t * in, in);
        }
        double[] want = Naive.abT(xs, 0, in, wd, 0, in, m, out, in);
        double[] scale = Naive.absAbT(xs, 0, in, wd, 0, in, m, out, in);
        float[] y = new float[m * out];
        java.util.Arrays.fill(y, Float.NaN);
        Linear.of(w).forward(x, m, y);
        assertThat(Naive.maxRelError(y, 0, out, want, scale, m, out)).as("%s m=%d out=%d in=%d", dtype, m, out, in).isLessThan(TOL);

        float[] yr = new float[m * out];
        Linear.reference(w).forward(x, m, yr);
        assertThat(Naive.maxRelError(yr, 0, out, want, scale, m, out)).as("reference").isLessThan(1e-7);
    }

    @ParameterizedTest
    @MethodSource("heapCases")
    void ofF32MatchesTensorPath(int m, int out, int in) {
        Random rnd = new Random(5);
        float[] wf = Naive.gaussian(rnd, out * in, 0.1);
        float[] x = Naive.gaussian(rnd, m * in, 1);
        float[] a = new float[m * out], b = new float[m * out];
        Linear.ofF32(wf, out, in).forward(x, m, a);
        Linear.of(WeightCodec.tensor("w", DType.F32, wf, out, in)).forward(x, m, b);
        assertThat(a).containsExactly(b);
        assertThat(Linear.ofF32(wf, out, in).outFeatures()).isEqualTo(out);
    }

    static List<Arguments> heapCases() {
        return List.of(Arguments.of(1, 20, 40), Arguments.of(9, 33, 70));
    }

    @org.junit.jupiter.api.Test
    void rejectsBadShapes() {
        Tensor w = WeightCodec.tensor("blk.0.w", DType.F32, new float[12], 3, 4);
        assertThatThrownBy(() -> Linear.of(w).forward(new float[7], 2, new float[6])).hasMessageContaining("need 2 rows");
        assertThatThrownBy(() -> Linear.of(new Tensor("v", DType.F32, new long[] {4}, java.lang.foreign.MemorySegment.ofArray(new float[4]))))
                .hasMessageContaining("must be 2-D");
    }
}
