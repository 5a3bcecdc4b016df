package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;

/** The interleaved row-pair layout of quantized weights (quants and scales apart), and GEMVs over arbitrary row ranges of it. */
class RowPairsTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Every block of every row is found at quantAt / scaleAt (quants byte for byte, the f16 scale
     * widened exactly), nothing overlaps, and an odd last row's partner is all zeros.
     */
    @Property(tries = 60)
    void repackKeepsEveryBlock(@ForAll @IntRange(min = 1, max = 21) int rows, @ForAll @IntRange(min = 1, max = 7) int blocks,
                               @ForAll boolean q8, @ForAll long seed) {
        int qb = q8 ? 32 : 16, bs = qb + 2;
        byte[] raw = new byte[rows * blocks * bs];
        Random rnd = new Random(seed);
        rnd.nextBytes(raw);
        for (int i = 0; i < rows * blocks; i++) { // finite scales (random bits may be NaN, which compare unequal)
            short h = Float.floatToFloat16((float) rnd.nextGaussian());
            raw[i * bs] = (byte) h;
            raw[i * bs + 1] = (byte) (h >> 8);
        }
        RowPairs packed = RowPairs.repack(MemorySegment.ofArray(raw), rows, blocks, qb);
        int pairs = (rows + 1) / 2;
        assertThat(packed.quants().byteSize()).isEqualTo((long) pairs * 2 * blocks * qb);
        assertThat(packed.scales()).hasSize(pairs * 2 * blocks);
        boolean[] usedQ = new boolean[pairs * 2 * blocks * qb];
        boolean[] usedS = new boolean[pairs * 2 * blocks];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int from = (r * blocks + b) * bs;
                int s = packed.scaleAt(r, b);
                assertThat(usedS[s]).isFalse();
                usedS[s] = true;
                short h = (short) ((raw[from] & 0xff) | raw[from + 1] << 8);
                assertThat(packed.scales()[s]).isEqualTo(Float.float16ToFloat(h));
                long at = packed.quantAt(r, b);
                for (int i = 0; i < qb; i++) {
                    assertThat(packed.quants().get(ValueLayout.JAVA_BYTE, at + i)).isEqualTo(raw[from + 2 + i]);
                    assertThat(usedQ[(int) at + i]).isFalse();
                    usedQ[(int) at + i] = true;
                }
            }
        }
        if (rows % 2 == 1) {
            for (int b = 0; b < blocks; b++) {
                assertThat(packed.scales()[packed.scaleAt(rows, b)]).isZero();
                for (int i = 0; i < qb; i++) assertThat(packed.quants().get(ValueLayout.JAVA_BYTE, packed.quantAt(rows, b) + i)).isZero();
            }
        }
    }

    /** A weight shorter than its shape says is refused, naming both sizes. */
    @org.junit.jupiter.api.Test
    void truncatedWeightIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RowPairs.repack(MemorySegment.ofArray(new byte[33]), 1, 1, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("33 bytes").hasMessageContaining("34");
    }

    /**
     * Rows [0, rows) computed in arbitrary pieces (pieces starting inside a pair, odd last rows)
     * give exactly the whole-range result, which matches a float64 dot of the stored weights
     * with the quantized input.
     */
    @Property(tries = 80)
    void anyRowRangeGivesTheSameRows(@ForAll @IntRange(min = 1, max = 23) int rows, @ForAll @IntRange(min = 1, max = 5) int blocks,
                                     @ForAll boolean q8, @ForAll long seed) {
        Random rnd = new Random(seed);
        int in = 32 * blocks;
        Tensor t = WeightCodec.tensor("w", q8 ? DType.Q8_0 : DType.Q4_0, Naive.gaussian(rnd, rows * in, 0.05), rows, in);
        RowPairs packed = RowPairs.repack(t.data(), rows, blocks, q8 ? 32 : 16);
        float[] x = Naive.gaussian(rnd, in, 1.0);
        short[] qx = new short[in], halves = new short[2 * in];
        float[] dx = new float[blocks];
        Q8Activations.quantize(x, 0, in, qx, 0, dx, 0);
        Q8Activations.halves(qx, 0, in, halves, 0);
        Q8Activations.Rows q = new Q8Activations.Rows(qx, dx, halves);

        float[] whole = new float[rows], pieces = new float[rows];
        run(q8, packed, 0, rows, q, whole);
        for (int r0 = 0; r0 < rows; ) {
            int r1 = Math.min(rows, r0 + 1 + rnd.nextInt(4));
            run(q8, packed, r0, r1, q, pieces);
            r0 = r1;
        }
        assertThat(pieces).containsExactly(whole);

        float[] xs = Naive.q8RoundTrip(x, 0, in);
        double[] want = Naive.abT(xs, 0, in, t.toFloatArray(), 0, in, 1, rows, in);
        double[] scale = Naive.absAbT(xs, 0, in, t.toFloatArray(), 0, in, 1, rows, in);
        assertThat(Naive.maxRelError(whole, 0, rows, want, scale, 1, rows)).as(Arrays.toString(whole)).isLessThan(2e-6);
    }

    private static void run(boolean q8, RowPairs w, int r0, int r1, Q8Activations.Rows q, float[] y) {
        if (q8) Gemv.q8_0(w, r0, r1, q, 0, y, 0);
        else Gemv.q4_0(w, r0, r1, q, 0, y, 0);
    }
}
