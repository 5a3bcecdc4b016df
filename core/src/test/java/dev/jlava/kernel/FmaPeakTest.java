package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FmaPeakTest {
    /** The loop's value is 12 lanes-sums of the fixed-point iteration a -> 0.999999 a + 1e-7 from a = 1..12. */
    @Test
    void loopComputesTheChainsItTimes() {
        long iters = 1000;
        double want = 0;
        for (int c = 0; c < 12; c++) {
            float a = 1f + c;
            for (long i = 0; i < iters; i++) a = Math.fma(a, 0.999999f, 1e-7f);
            want += a;
        }
        assertThat((double) FmaPeak.loop(iters)).isCloseTo(want * Simd.L, org.assertj.core.api.Assertions.within(1e-3 * want * Simd.L));
    }

    @Test
    void peakIsPositiveAndFinite() throws InterruptedException {
        double gf = FmaPeak.measure(2, 1, 200_000);
        assertThat(gf).isPositive().isFinite();
    }
}
