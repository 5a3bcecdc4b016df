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

    /**
     * Attention scores: 1e-5 relative to the largest score (the llava-ov README's measure: its float32
     * pipeline differs by 4.3e-8 = 3.5e-6 of the max); the element-wise relative error is printed too.
     */
    static void scores(String what, float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double worst = 0;
        for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs((double) got[i] - want[i]) / Math.abs(want[i]));
        double d = maxAbsDiff(got, want), scale = maxAbs(want);
        System.out.printf("%s: max abs diff %.3g, relative to max %.3g (element-wise relative up to %.3g)%n", what, d, d / scale, worst);
        assertThat(d / scale).as(what + " max abs diff relative to the max score").isLessThanOrEqualTo(1e-5);
    }

    static float[] slice(float[] x, int from, int len) {
        return java.util.Arrays.copyOfRange(x, from, from + len);
    }
}
