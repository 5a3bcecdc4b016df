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
            assertThat(Arrays.copyOfRange(layer.keys(), layer.keyOffset() + j * kvDim, layer.keyOffset() + (j + 1) * kvDim)).isEqualTo(Arrays.copyOfRange(k, i * kvDim, (i + 1) * kvDim));
            assertThat(Arrays.copyOfRange(layer.values(), layer.valueOffset() + j * kvDim, layer.valueOffset() + (j + 1) * kvDim)).isEqualTo(Arrays.copyOfRange(v, i * kvDim, (i + 1) * kvDim));
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

    /** Appends in pieces that make the arrays grow, then a copy: every entry where it was put, and the rows on cache lines. */
    @Property(tries = 30)
    void growthAndCopyKeepEntriesAndTheirOffsets(@ForAll @IntRange(min = 1, max = 40) int kvDim, @ForAll @IntRange(min = 1, max = 9) int pieces,
                                                  @ForAll long seed) {
        Random rnd = new Random(seed);
        KvCache.Layer layer = new KvCache.Layer(kvDim, 1);
        java.util.List<float[]> ks = new java.util.ArrayList<>(), vs = new java.util.ArrayList<>();
        int at = 0;
        for (int p = 0; p < pieces; p++) {
            int n = 1 + rnd.nextInt(50);
            float[] k = new float[n * kvDim], v = new float[n * kvDim];
            int[] pos = new int[n];
            for (int i = 0; i < k.length; i++) {
                k[i] = rnd.nextFloat();
                v[i] = -rnd.nextFloat();
            }
            for (int i = 0; i < n; i++) {
                pos[i] = at++;
                ks.add(Arrays.copyOfRange(k, i * kvDim, (i + 1) * kvDim));
                vs.add(Arrays.copyOfRange(v, i * kvDim, (i + 1) * kvDim));
            }
            layer.append(k, v, n, pos, 0);
        }
        for (KvCache.Layer l : new KvCache.Layer[] {layer, layer.copy()}) {
            assertThat(l.length()).isEqualTo(at);
            assertThat(l.keyOffset()).isBetween(0, 15);
            assertThat(l.valueOffset()).isBetween(0, 15);
            for (int i = 0; i < at; i++) {
                assertThat(Arrays.copyOfRange(l.keys(), l.keyOffset() + i * kvDim, l.keyOffset() + (i + 1) * kvDim)).isEqualTo(ks.get(i));
                assertThat(Arrays.copyOfRange(l.values(), l.valueOffset() + i * kvDim, l.valueOffset() + (i + 1) * kvDim)).isEqualTo(vs.get(i));
                assertThat(l.position(i)).isEqualTo(i);
            }
        }
    }

    /** A cache big enough for G1 to place its arrays as humongous objects, which never move: entry 0 starts a 64-byte line. */
    @Test
    void largeCacheRowsStartOnACacheLine() {
        KvCache cache = new KvCache(1, 128, 8192);
        KvCache.Layer l = cache.layer(0);
        assertThat(l.keyOffset()).isEqualTo(dev.jlava.kernel.HeapAlignment.floatPad(l.keys()));
        assertThat(l.valueOffset()).isEqualTo(dev.jlava.kernel.HeapAlignment.floatPad(l.values()));
    }
}
