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

/** The interleaved row-pair layout of quantized GEMV weights, and GEMVs over arbitrary row ranges of it. */
class RowPairsTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** Every block of every row is found at rowBase + b * blockStride, byte for byte, and nothing overlaps. */
    @Property(tries = 60)
    void repackKeepsEveryBlock(@ForAll @IntRange(min = 1, max = 21) int rows, @ForAll @IntRange(min = 1, max = 7) int blocks,
                               @ForAll boolean q8, @ForAll long seed) {
        int bs = q8 ? 34 : 18;
        byte[] raw = new byte[rows * blocks * bs];
        new Random(seed).nextBytes(raw);
        MemorySegment packed = RowPairs.repack(MemorySegment.ofArray(raw), rows, blocks, bs);
        assertThat(packed.byteSize()).isEqualTo(raw.length);
        boolean[] used = new boolean[raw.length];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                long at = RowPairs.rowBase(r, rows, blocks, bs) + (long) b * RowPairs.blockStride(r, rows, bs);
                for (int i = 0; i < bs; i++) {
                    assertThat(packed.get(ValueLayout.JAVA_BYTE, at + i)).isEqualTo(raw[(r * blocks + b) * bs + i]);
                    assertThat(used[(int) at + i]).isFalse();
                    used[(int) at + i] = true;
                }
            }
        }
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
        MemorySegment packed = RowPairs.repack(t.data(), rows, blocks, q8 ? 34 : 18);
        float[] x = Naive.gaussian(rnd, in, 1.0);
        short[] qx = new short[in];
        float[] dx = new float[blocks];
        Q8Activations.quantize(x, 0, in, qx, 0, dx, 0);

        float[] whole = new float[rows], pieces = new float[rows];
        run(q8, packed, rows, in, 0, rows, qx, dx, whole);
        for (int r0 = 0; r0 < rows; ) {
            int r1 = Math.min(rows, r0 + 1 + rnd.nextInt(4));
            run(q8, packed, rows, in, r0, r1, qx, dx, pieces);
            r0 = r1;
        }
        assertThat(pieces).containsExactly(whole);

        float[] xs = Naive.q8RoundTrip(x, 0, in);
        double[] want = Naive.abT(xs, 0, in, t.toFloatArray(), 0, in, 1, rows, in);
        double[] scale = Naive.absAbT(xs, 0, in, t.toFloatArray(), 0, in, 1, rows, in);
        assertThat(Naive.maxRelError(whole, 0, rows, want, scale, 1, rows)).as(Arrays.toString(whole)).isLessThan(2e-6);
    }

    private static void run(boolean q8, MemorySegment w, int rows, int in, int r0, int r1, short[] qx, float[] dx, float[] y) {
        if (q8) Gemv.q8_0(w, rows, in, r0, r1, qx, 0, dx, 0, y, 0);
        else Gemv.q4_0(w, rows, in, r0, r1, qx, 0, dx, 0, y, 0);
    }
}
