package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FmaPeakTest {
    /** The loop's value is 12 lane-sums of the chains a -> 1e-3 * 1e-3 + a from a = 1..12, in float arithmetic. */
    @Test
    void loopComputesTheChainsItTimes() {
        long iters = 1000; // each chain grows by about 1e-3, far above the tolerance
        double want = 0;
        for (int c = 0; c < 12; c++) {
            float a = 1f + c;
            for (long i = 0; i < iters; i++) a = Math.fma(1e-3f, 1e-3f, a);
            want += a;
        }
        assertThat((double) FmaPeak.loop(iters)).isCloseTo(want * Simd.L, org.assertj.core.api.Assertions.within(1e-6 * want * Simd.L));
    }

    @Test
    void peakIsPositiveAndFinite() throws InterruptedException {
        double gf = FmaPeak.measure(2, 1, 200_000);
        assertThat(gf).isPositive().isFinite();
    }
}
