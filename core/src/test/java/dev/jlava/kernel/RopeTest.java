package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Rope against its definition in double precision (x_i' = x_i cos(p θ_i) − x_j sin(p θ_i),
 * x_j' = x_i sin(p θ_i) + x_j cos(p θ_i), θ_i = theta^(−2i/d), pairs (i, i + d/2) for NEOX and
 * (2i, 2i + 1) otherwise), and the property attention relies on: q·k after rotation depends only on
 * the distance between the two positions.
 */
class RopeTest {
    @Property(tries = 50)
    void matchesTheDefinition(@ForAll @IntRange(min = 1, max = 32) int halfDim, @ForAll @IntRange(min = 1, max = 4) int heads,
                              @ForAll @IntRange(min = 1, max = 5) int n, @ForAll boolean neox, @ForAll long seed) {
        int d = 2 * halfDim;
        double theta = neox ? 1_000_000 : 10_000;
        Random rnd = new Random(seed);
        float[] x = Naive.gaussian(rnd, n * heads * d, 1.0);
        int[] pos = new int[n + 1];
        for (int r = 0; r <= n; r++) pos[r] = rnd.nextInt(40_000);
        float[] got = x.clone();
        new Rope(d, theta, neox).apply(got, n, heads, pos, 1); // positions taken from offset 1
        for (int r = 0; r < n; r++) {
            for (int h = 0; h < heads; h++) {
                int base = (r * heads + h) * d;
                for (int i = 0; i < halfDim; i++) {
                    int a = neox ? base + i : base + 2 * i, b = neox ? base + i + halfDim : base + 2 * i + 1;
                    double ang = pos[r + 1] * Math.pow(theta, -2.0 * i / d);
                    double wa = x[a] * Math.cos(ang) - x[b] * Math.sin(ang), wb = x[a] * Math.sin(ang) + x[b] * Math.cos(ang);
                    // cos/sin are rounded to float before the products: ~1e-7 relative to the pair's norm
                    double tol = 1e-6 * Math.hypot(x[a], x[b]) + 1e-7;
                    assertThat((double) got[a]).isCloseTo(wa, within(tol));
                    assertThat((double) got[b]).isCloseTo(wb, within(tol));
                }
            }
        }
    }

    /** q and k rotated together over a row range: exactly two single calls on those rows, other rows untouched. */
    @Property(tries = 40)
    void rowRangeOfQAndKMatchesSeparateCalls(@ForAll @IntRange(min = 1, max = 16) int halfDim, @ForAll @IntRange(min = 1, max = 4) int qHeads,
                                             @ForAll @IntRange(min = 1, max = 3) int kHeads, @ForAll @IntRange(min = 1, max = 9) int n,
                                             @ForAll boolean neox, @ForAll long seed) {
        int d = 2 * halfDim;
        Random rnd = new Random(seed);
        int r0 = rnd.nextInt(n), r1 = r0 + 1 + rnd.nextInt(n - r0);
        float[] q = Naive.gaussian(rnd, n * qHeads * d, 1.0), k = Naive.gaussian(rnd, n * kHeads * d, 1.0);
        int[] pos = new int[n];
        for (int r = 0; r < n; r++) pos[r] = rnd.nextInt(40_000);
        Rope rope = new Rope(d, 10_000, neox);
        float[] gotQ = q.clone(), gotK = k.clone();
        rope.apply(gotQ, qHeads, gotK, kHeads, r0, r1, pos);
        float[] wantQ = q.clone(), wantK = k.clone();
        float[] partQ = java.util.Arrays.copyOfRange(q, r0 * qHeads * d, r1 * qHeads * d), partK = java.util.Arrays.copyOfRange(k, r0 * kHeads * d, r1 * kHeads * d);
        rope.apply(partQ, r1 - r0, qHeads, pos, r0);
        rope.apply(partK, r1 - r0, kHeads, pos, r0);
        System.arraycopy(partQ, 0, wantQ, r0 * qHeads * d, partQ.length);
        System.arraycopy(partK, 0, wantK, r0 * kHeads * d, partK.length);
        assertThat(gotQ).containsExactly(wantQ);
        assertThat(gotK).containsExactly(wantK);
    }

    @Test
    void scoresDependOnlyOnTheDistance() {
        Random rnd = new Random(5);
        int d = 64;
        for (boolean neox : new boolean[] {true, false}) {
            Rope rope = new Rope(d, 10_000, neox);
            float[] q = Naive.gaussian(rnd, d, 1.0), k = Naive.gaussian(rnd, d, 1.0);
            double first = Double.NaN;
            for (int shift : new int[] {0, 7, 100, 1234}) {
                float[] qr = q.clone(), kr = k.clone();
                rope.apply(qr, 1, 1, new int[] {shift + 9}, 0);
                rope.apply(kr, 1, 1, new int[] {shift + 3}, 0);
                double s = 0;
                for (int i = 0; i < d; i++) s += (double) qr[i] * kr[i];
                if (Double.isNaN(first)) first = s;
                else assertThat(s).as("neox=%s shift=%d", neox, shift).isCloseTo(first, within(1e-3));
            }
        }
    }

    @Test
    void positionZeroIsTheIdentity() {
        float[] x = Naive.gaussian(new Random(2), 3 * 16, 1.0);
        float[] y = x.clone();
        new Rope(16, 10_000, true).apply(y, 1, 3, new int[] {0}, 0);
        assertThat(y).containsExactly(x);
    }
}
