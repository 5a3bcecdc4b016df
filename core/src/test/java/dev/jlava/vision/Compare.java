package dev.jlava.vision;

import static org.assertj.core.api.Assertions.assertThat;

/** Tolerance checks of the golden READMEs, with the measured error printed for the report. */
final class Compare {
    private Compare() {}

    static double maxAbsDiff(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double m = 0;
        for (int i = 0; i < got.length; i++) m = Math.max(m, Math.abs((double) got[i] - want[i]));
        return m;
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** Features / projected: 2e-5 absolute, or 1e-5 relative to the tensor's largest magnitude. */
    static void features(String what, float[] got, float[] want) {
        double d = maxAbsDiff(got, want), scale = maxAbs(want);
        System.out.printf("%s: max abs diff %.3g (max |x| %.3g, relative to max %.3g)%n", what, d, scale, d / scale);
        assertThat(d <= 2e-5 || d <= 1e-5 * scale).as(what + ": max abs diff " + d + " (max |x| " + scale + ")").isTrue();
    }

    /** Attention scores: 1e-5 relative, element by element. */
    static void scores(String what, float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            double rel = Math.abs((double) got[i] - want[i]) / Math.abs(want[i]);
            worst = Math.max(worst, rel);
        }
        System.out.printf("%s: max relative diff %.3g (max abs diff %.3g)%n", what, worst, maxAbsDiff(got, want));
        assertThat(worst).as(what + " max relative diff").isLessThanOrEqualTo(1e-5);
    }

    static float[] slice(float[] x, int from, int len) {
        return java.util.Arrays.copyOfRange(x, from, from + len);
    }
}
