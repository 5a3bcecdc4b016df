package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;
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
            {11, 200, 320}, {17, 70, 288}, {40, 50, 608}, {13, 129, 1056}, {14, 21, 2400}, {12, 19, 1184}};
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

    /**
     * The extreme products of the 16-bit GEMV lanes: Q8_0 weights of -128 (legal in a file,
     * though llama.cpp's quantizer writes |q| <= 127) against inputs quantized to +-127. The
     * expected value is exact integer arithmetic: d_w * d_x * 32 * (-128) * (+-127) per block,
     * +-520192 (its 16-bit lane pairs reach -32512).
     */
    @org.junit.jupiter.api.Test
    void extremeQ8_0ProductsDoNotOverflow() {
        int blocks = 5, rows = 3, in = 32 * blocks;
        byte[] raw = new byte[rows * 34 * blocks];
        short dw = Float.floatToFloat16(0.25f);
        for (int b = 0; b < rows * blocks; b++) {
            raw[34 * b] = (byte) dw;
            raw[34 * b + 1] = (byte) (dw >> 8);
            for (int j = 0; j < 32; j++) raw[34 * b + 2 + j] = (byte) -128;
        }
        Tensor w = new Tensor("w", DType.Q8_0, new long[] {rows, in}, MemorySegment.ofArray(raw));
        float[] x = new float[in];
        for (int i = 0; i < in; i++) x[i] = (i / 32) % 2 == 0 ? 127f : -127f; // every q_x is +-127, d_x = 1
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            float[] y = new float[rows];
            Linear.of(w).forward(x, 1, y);
            // Blocks alternate +127 and -127 inputs: 3 blocks of -520192 and 2 of +520192, times d_w = 0.25.
            assertThat(y).containsOnly(0.25f * -520192f);
        }
    }

    @org.junit.jupiter.api.Test
    void rejectsBadShapes() {
        Tensor w = WeightCodec.tensor("blk.0.w", DType.F32, new float[12], 3, 4);
        assertThatThrownBy(() -> Linear.of(w).forward(new float[7], 2, new float[6])).hasMessageContaining("need 2 rows");
        assertThatThrownBy(() -> Linear.of(new Tensor("v", DType.F32, new long[] {4}, java.lang.foreign.MemorySegment.ofArray(new float[4]))))
                .hasMessageContaining("must be 2-D");
    }
}
