package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The F32 GEMV dots four rows per pass and the rest one by one: a row's value must not depend
 * on which of the two computed it, i.e. on where a thread's row piece starts and ends, nor on
 * whether the weight is read from a segment or a heap array.
 */
class GemvF32Test {
    @Property(tries = 80)
    void anyRowRangeGivesTheSameRows(@ForAll @IntRange(min = 1, max = 23) int rows, @ForAll @IntRange(min = 1, max = 150) int k,
                                     @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] w = Naive.gaussian(rnd, rows * k, 0.1), x = Naive.gaussian(rnd, k + 3, 1.0);
        MemorySegment seg = MemorySegment.ofArray(new byte[4 * rows * k]);
        for (int i = 0; i < w.length; i++) seg.set(dev.jlava.tensor.Tensor.F32_LE, 4L * i, w[i]);

        float[] whole = new float[rows + 2], pieces = new float[rows + 2];
        Gemv.f32(seg, k, 0, rows, x, 3, whole, 2);
        for (int r0 = 0; r0 < rows; ) {
            int r1 = Math.min(rows, r0 + 1 + rnd.nextInt(6));
            Gemv.f32(seg, k, r0, r1, x, 3, pieces, 2);
            r0 = r1;
        }
        assertThat(pieces).containsExactly(whole);

        double[] want = Naive.abT(Arrays.copyOfRange(x, 3, k + 3), 0, k, w, 0, k, 1, rows, k);
        double[] scale = Naive.absAbT(Arrays.copyOfRange(x, 3, k + 3), 0, k, w, 0, k, 1, rows, k);
        assertThat(Naive.maxRelError(whole, 2, rows, want, scale, 1, rows)).isLessThan(1e-6);

        // The heap-array kernel (x from index 0, the weight from any index) computes the same sums in the same order.
        float[] x0 = Arrays.copyOfRange(x, 3, k + 3), heap = new float[rows + 2];
        int w0 = rnd.nextInt(16);
        float[] shifted = new float[w0 + w.length];
        System.arraycopy(w, 0, shifted, w0, w.length);
        for (int r0 = 0; r0 < rows; ) {
            int r1 = Math.min(rows, r0 + 1 + rnd.nextInt(6));
            Gemv.f32(shifted, w0, k, r0, r1, x0, heap, 2);
            r0 = r1;
        }
        assertThat(heap).containsExactly(whole);
    }
}
