package dev.jlava.reduce.st3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * VTA's choice of entries to evict, the heap selection against a full sort by a comparator over
 * boxed indices (the first implementation): many tied scores (drawn from a few values, including
 * 0.0 and -0.0), positions in and out of order, repeated positions, any count.
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
        if (distinct == 6) for (int i = 0; i < m; i++) pos[i] /= 15; // repeated positions: ties broken by index
        if (shuffled) {
            for (int i = m - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), t = pos[i];
                pos[i] = pos[j];
                pos[j] = t;
            }
        }
        int k = Math.min(n, m);
        assertThat(VisualTokenAnnealing.lowest(score, pos, k)).isEqualTo(byComparator(score, pos, k));
    }

    @Property(tries = 200)
    void orderedBitsFollowDoubleCompare(@ForAll double a, @ForAll double b) {
        assertThat(Long.signum(Long.compare(VisualTokenAnnealing.ordered(a), VisualTokenAnnealing.ordered(b)))).isEqualTo(Integer.signum(Double.compare(a, b)));
    }

    @org.junit.jupiter.api.Test
    void orderedBitsOfSpecialValues() {
        double[] inOrder = {Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1.0, -Double.MIN_VALUE, -0.0, 0.0, Double.MIN_VALUE, 1.0, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN};
        for (int i = 1; i < inOrder.length; i++) assertThat(VisualTokenAnnealing.ordered(inOrder[i - 1])).isLessThan(VisualTokenAnnealing.ordered(inOrder[i]));
        assertThat(VisualTokenAnnealing.ordered(Double.longBitsToDouble(0x7ff0000000000123L))).isEqualTo(VisualTokenAnnealing.ordered(Double.NaN)); // every NaN is one
    }

    /** Lowest score first, among equal scores the later position first, then the lower index (a stable sort); the first n, in index order. */
    private static int[] byComparator(double[] score, int[] pos, int n) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, c) -> {
            int cmp = Double.compare(score[a], score[c]);
            return cmp != 0 ? cmp : Integer.compare(pos[c], pos[a]);
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = order[i];
        java.util.Arrays.sort(out);
        return out;
    }
}
