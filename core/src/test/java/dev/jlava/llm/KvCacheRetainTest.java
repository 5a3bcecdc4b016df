package dev.jlava.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** KvCache.Layer.retain (VTA's and PVTP's compaction) against copying the kept entries one by one into fresh arrays. */
class KvCacheRetainTest {
    @Property(tries = 60)
    void keepsExactlyTheListedEntriesInOrder(@ForAll @IntRange(min = 1, max = 300) int len, @ForAll @IntRange(min = 1, max = 16) int kvDim,
                                             @ForAll @IntRange(min = 0, max = 100) int keepPercent, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] k = new float[len * kvDim], v = new float[len * kvDim];
        int[] pos = new int[len];
        for (int i = 0; i < k.length; i++) {
            k[i] = rnd.nextFloat();
            v[i] = rnd.nextFloat();
        }
        for (int i = 0; i < len; i++) pos[i] = 3 * i + 1;
        KvCache.Layer layer = new KvCache.Layer(kvDim, 1);
        layer.append(k, v, len, pos, 0);
        int[] keep = java.util.stream.IntStream.range(0, len).filter(i -> rnd.nextInt(100) < keepPercent).toArray();

        layer.retain(keep);

        assertThat(layer.length()).isEqualTo(keep.length);
        for (int j = 0; j < keep.length; j++) {
            int i = keep[j];
            assertThat(Arrays.copyOfRange(layer.keys(), j * kvDim, (j + 1) * kvDim)).isEqualTo(Arrays.copyOfRange(k, i * kvDim, (i + 1) * kvDim));
            assertThat(Arrays.copyOfRange(layer.values(), j * kvDim, (j + 1) * kvDim)).isEqualTo(Arrays.copyOfRange(v, i * kvDim, (i + 1) * kvDim));
            assertThat(layer.position(j)).isEqualTo(pos[i]);
        }
    }

    @Test
    void refusesIndicesOutOfOrderOrRange() {
        KvCache.Layer layer = new KvCache.Layer(2, 4);
        layer.append(new float[8], new float[8], 4, new int[] {0, 1, 2, 3}, 0);
        assertThatThrownBy(() -> layer.retain(new int[] {2, 1})).hasMessageContaining("increasing");
        assertThatThrownBy(() -> layer.retain(new int[] {0, 4})).hasMessageContaining("< 4");
        assertThat(layer.length()).as("a refused list changes nothing").isEqualTo(4);
    }
}
