package dev.jlava.reduce.st3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * VTA's choice of entries to evict, the primitive-key version against the comparator it replaced:
 * many tied scores (drawn from a few values, including 0.0 and -0.0), positions in and out of
 * order, any count.
 */
class VtaLowestTest {
    @Property(tries = 200)
    void sameChoiceAsTheComparator(@ForAll @IntRange(min = 1, max = 400) int m, @ForAll @IntRange(min = 0, max = 400) int n,
                                   @ForAll @IntRange(min = 1, max = 6) int distinct, @ForAll boolean shuffled, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[] values = {0.0, -0.0, 1e-9, 0.25, 0.5, 3e-3};
        double[] score = new double[m];
        int[] pos = new int[m];
        for (int i = 0; i < m; i++) {
            score[i] = values[rnd.nextInt(distinct)] + (rnd.nextInt(4) == 0 ? rnd.nextDouble() : 0);
            pos[i] = 5 * i + rnd.nextInt(5);
        }
        if (shuffled) {
            for (int i = m - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), t = pos[i];
                pos[i] = pos[j];
                pos[j] = t;
            }
        }
        int k = Math.min(n, m);
        assertThat(VisualTokenAnnealing.lowest(score, pos, k)).isEqualTo(VisualTokenAnnealing.lowestBoxed(score, pos, k));
    }
}
