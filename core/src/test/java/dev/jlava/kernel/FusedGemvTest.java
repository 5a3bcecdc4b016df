package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.tensor.DType;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** FusedGemv gives each layer exactly what its own forward gives for one row, for any mix of dtypes and sizes. */
class FusedGemvTest {
    private static final DType[] TYPES = {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0};

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Property(tries = 60)
    void equalsSeparateForwards(@ForAll @IntRange(min = 1, max = 4) int parts, @ForAll @IntRange(min = 1, max = 6) int blocks,
                                @ForAll @IntRange(min = 1, max = 2) int threads, @ForAll long seed) {
        Parallel.setThreads(threads);
        Random rnd = new Random(seed);
        int in = 32 * blocks;
        Linear[] ls = new Linear[parts];
        float[][] fused = new float[parts][], separate = new float[parts][];
        for (int i = 0; i < parts; i++) {
            int out = 1 + rnd.nextInt(90);
            ls[i] = Linear.of(WeightCodec.tensor("w" + i, TYPES[rnd.nextInt(TYPES.length)], Naive.gaussian(rnd, out * in, 0.05), out, in));
            fused[i] = new float[out];
            separate[i] = new float[out];
        }
        float[] x = Naive.gaussian(rnd, in, 1.0);
        FusedGemv.forward(ls, x, 1, fused);
        for (int i = 0; i < parts; i++) {
            ls[i].forward(x, 1, separate[i]);
            assertThat(fused[i]).as("layer %d (%d rows)", i, separate[i].length).containsExactly(separate[i]);
        }
    }

    @Test
    void layersWithoutAFastPathRunSeparately() {
        Random rnd = new Random(4);
        Linear fast = Linear.of(WeightCodec.tensor("a", DType.F32, Naive.gaussian(rnd, 10 * 64, 0.1), 10, 64));
        Linear slow = Linear.reference(WeightCodec.tensor("b", DType.Q8_0, Naive.gaussian(rnd, 7 * 64, 0.1), 7, 64));
        float[] x = Naive.gaussian(rnd, 64, 1.0);
        float[][] ys = {new float[10], new float[7]};
        FusedGemv.forward(new Linear[] {fast, slow}, x, 1, ys);
        float[] a = new float[10], b = new float[7];
        fast.forward(x, 1, a);
        slow.forward(x, 1, b);
        assertThat(ys[0]).containsExactly(a);
        assertThat(ys[1]).containsExactly(b);
    }

    @Test
    void badShapesAreReported() {
        Linear l = Linear.ofF32(new float[6], 2, 3);
        assertThatThrownBy(() -> FusedGemv.forward(new Linear[] {l}, new float[2], 1, new float[][] {new float[2]})).hasMessageContaining("takes 3 inputs");
        assertThatThrownBy(() -> FusedGemv.forward(new Linear[] {l}, new float[3], 1, new float[][] {new float[1]})).hasMessageContaining("needs 2");
        assertThatThrownBy(() -> FusedGemv.forward(new Linear[] {l}, new float[3], 1, new float[0][])).hasMessageContaining("1 layers but 0 outputs");
    }
}
