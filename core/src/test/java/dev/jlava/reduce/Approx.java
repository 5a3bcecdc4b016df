package dev.jlava.reduce;

import static org.assertj.core.api.Assertions.assertThat;

/** Float comparisons at a stated tolerance; returns the measured maximum error. */
public final class Approx {
    private Approx() {}

    public static double maxAbs(float[] expected, float[] actual) {
        assertThat(actual).as("length").hasSize(expected.length);
        double m = 0;
        for (int i = 0; i < expected.length; i++) m = Math.max(m, Math.abs((double) expected[i] - actual[i]));
        return m;
    }

    public static double maxAbs(float[][] expected, float[][] actual) {
        assertThat(actual.length).as("rows").isEqualTo(expected.length);
        double m = 0;
        for (int i = 0; i < expected.length; i++) m = Math.max(m, maxAbs(expected[i], actual[i]));
        return m;
    }

    /** max |e − a| / max(|e|, floor). */
    public static double maxRel(float[] expected, float[] actual, double floor) {
        assertThat(actual).as("length").hasSize(expected.length);
        double m = 0;
        for (int i = 0; i < expected.length; i++) {
            m = Math.max(m, Math.abs((double) expected[i] - actual[i]) / Math.max(Math.abs(expected[i]), floor));
        }
        return m;
    }

    public static void assertAbs(String what, float[][] expected, float[][] actual, double tol) {
        double e = maxAbs(expected, actual);
        report(what, "abs", e);
        assertThat(e).as(what + " max abs error").isLessThanOrEqualTo(tol);
    }

    public static void assertAbs(String what, float[] expected, float[] actual, double tol) {
        double e = maxAbs(expected, actual);
        report(what, "abs", e);
        assertThat(e).as(what + " max abs error").isLessThanOrEqualTo(tol);
    }

    public static void assertRel(String what, float[] expected, float[] actual, double tol) {
        double e = maxRel(expected, actual, 1e-30);
        report(what, "rel", e);
        assertThat(e).as(what + " max rel error").isLessThanOrEqualTo(tol);
    }

    /** Measured errors go to the test output (surefire keeps it), for the reports. */
    private static void report(String what, String kind, double e) {
        System.out.printf("max %s error %-40s %.3e%n", kind, what, e);
    }

    public static float[] flat(float[][] m) {
        int n = 0;
        for (float[] r : m) n += r.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] r : m) {
            System.arraycopy(r, 0, out, o, r.length);
            o += r.length;
        }
        return out;
    }
}
