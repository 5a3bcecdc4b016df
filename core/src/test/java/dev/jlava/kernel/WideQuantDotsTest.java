package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The 512-bit Q8_0/Q4_0 row-pair dots, called directly (so they are checked on machines whose
 * GEMVs use the narrower ones): against a float64 dot of the stored weights with the quantized
 * input, and against the narrow dots, which sum the same exact block integers in another order.
 */
class WideQuantDotsTest {
    @Property(tries = 40)
    void widePairDotsMatchTheReferenceAndTheNarrowDots(@ForAll @IntRange(min = 2, max = 9) int rows, @ForAll @IntRange(min = 1, max = 6) int blocks,
                                                       @ForAll boolean q8, @ForAll long seed) {
        Random rnd = new Random(seed);
        int in = 32 * blocks;
        Tensor t = WeightCodec.tensor("w", q8 ? DType.Q8_0 : DType.Q4_0, Naive.gaussian(rnd, rows * in, 0.05), rows, in);
        RowPairs w = RowPairs.repack(t.data(), rows, blocks, q8 ? 32 : 16);
        float[] x = Naive.gaussian(rnd, 3 * in, 1.0);
        int xOff = in; // a row that is not the first, as in a batch of m > 1 GEMVs
        short[] qx = new short[3 * in], halves = new short[6 * in];
        float[] dx = new float[3 * blocks];
        Q8Activations.quantize(x, 0, 3 * in, qx, 0, dx, 0);
        Q8Activations.halves(qx, 0, 3 * in, halves, 0);

        float[] wide = new float[rows + 1], narrow = new float[rows + 1], lanes = new float[32];
        for (int r = 0; r < rows; r += 2) {
            if (q8) {
                WideQuantDots.dot2Q8_0(w.quants(), w.quantAt(r, 0), w.scales(), w.scaleAt(r, 0), blocks, qx, xOff, dx, xOff / 32, wide, r);
                Gemv.dot2Q8_0(w.quants(), w.quantAt(r, 0), w.scales(), w.scaleAt(r, 0), blocks, qx, xOff, dx, xOff / 32, narrow, r, lanes);
            } else {
                WideQuantDots.dot2Q4_0(w.quants(), w.quantAt(r, 0), w.scales(), w.scaleAt(r, 0), blocks, halves, 2 * xOff, dx, xOff / 32, wide, r);
                Gemv.dot2Q4_0(w.quants(), w.quantAt(r, 0), w.scales(), w.scaleAt(r, 0), blocks, qx, xOff, dx, xOff / 32, narrow, r, lanes);
            }
        }
        float[] xs = Naive.q8RoundTrip(x, xOff, in);
        double[] want = Naive.abT(xs, 0, in, t.toFloatArray(), 0, in, 1, rows, in);
        double[] scale = Naive.absAbT(xs, 0, in, t.toFloatArray(), 0, in, 1, rows, in);
        assertThat(Naive.maxRelError(wide, 0, rows, want, scale, 1, rows)).as(Arrays.toString(wide)).isLessThan(2e-6);
        assertThat(Naive.maxRelError(wide, 0, rows, toDouble(narrow, rows), scale, 1, rows)).isLessThan(2e-6);
    }

    /**
     * Extreme blocks: Q8_0 weights of -128 and 127 against inputs of +-127 (the largest pair sums
     * the 16-bit pair-sum trick must hold, 32512), and Q4_0 nibbles 0 and 15 (values -8, 7).
     */
    @Test
    void extremeQuantsSumExactly() {
        int blocks = 2, in = 64;
        short[] qx = new short[in], halves = new short[2 * in];
        float[] dx = {1f, 1f};
        for (int i = 0; i < in; i++) qx[i] = (short) (i % 3 == 0 ? 127 : -127);
        Q8Activations.halves(qx, 0, in, halves, 0);
        // Q8_0: row 0 all -128, row 1 alternating 127 / -128; scales 1 (the RowPairs layout: 64 bytes per block pair).
        java.lang.foreign.MemorySegment q8 = java.lang.foreign.MemorySegment.ofArray(new byte[64 * blocks]);
        long exact0 = 0, exact1 = 0;
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < 32; j++) {
                byte v0 = -128, v1 = (byte) (j % 2 == 0 ? 127 : -128);
                q8.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 64L * b + j, v0);
                q8.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 64L * b + 32 + j, v1);
                exact0 += (long) v0 * qx[32 * b + j];
                exact1 += (long) v1 * qx[32 * b + j];
            }
        }
        float[] s = {1f, 1f, 1f, 1f}, y = new float[2], lanes = new float[32];
        WideQuantDots.dot2Q8_0(q8, 0, s, 0, blocks, qx, 0, dx, 0, y, 0);
        assertThat(y).containsExactly(exact0, exact1);

        // Q4_0: row 0 nibbles all 0 (value -8), row 1 low 15 / high 0 (7 and -8); 32 bytes per block pair.
        java.lang.foreign.MemorySegment q4 = java.lang.foreign.MemorySegment.ofArray(new byte[32 * blocks]);
        exact0 = 0;
        exact1 = 0;
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < 16; j++) {
                q4.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 32L * b + j, (byte) 0x00);
                q4.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 32L * b + 16 + j, (byte) 0x0f);
                exact0 += -8L * qx[32 * b + j] - 8L * qx[32 * b + 16 + j];
                exact1 += 7L * qx[32 * b + j] - 8L * qx[32 * b + 16 + j];
            }
        }
        WideQuantDots.dot2Q4_0(q4, 0, s, 0, blocks, halves, 0, dx, 0, y, 0);
        assertThat(y).containsExactly(exact0, exact1);
    }

    /** The halves layout: per block, values 0-15 twice, then 16-31 twice. */
    @Test
    void halvesRepeatEachHalfOfABlock() {
        short[] q = new short[64], h = new short[128];
        for (int i = 0; i < 64; i++) q[i] = (short) (i * 3 - 50);
        Q8Activations.halves(q, 0, 64, h, 0);
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 16; j++) {
                assertThat(h[64 * b + j]).isEqualTo(q[32 * b + j]);
                assertThat(h[64 * b + 16 + j]).isEqualTo(q[32 * b + j]);
                assertThat(h[64 * b + 32 + j]).isEqualTo(q[32 * b + 16 + j]);
                assertThat(h[64 * b + 48 + j]).isEqualTo(q[32 * b + 16 + j]);
            }
        }
    }

    private static double[] toDouble(float[] v, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = v[i];
        return d;
    }
}
