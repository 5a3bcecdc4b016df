package dev.jlava.vision;

/**
 * The error function in double precision, for the exact GELU of the LLaVA projector (PyTorch's
 * {@code gelu} = x/2 (1 + erf(x / sqrt 2))). The JDK has no erf, so {@link #exact} sums a series
 * that converges for every argument (slow, ~1e-15), and {@link #erf} interpolates a table of exact
 * values and derivatives with cubic Hermite pieces (fast, error below 1e-10).
 */
final class Erf {
    private Erf() {}

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    /** erf(6) = 1 - 2e-17 rounds to 1 in double; the table covers [0, 6). */
    private static final double LIMIT = 6.0;
    private static final int STEPS_PER_UNIT = 128;
    private static final double H = 1.0 / STEPS_PER_UNIT;
    private static final double[] VALUE = new double[(int) (LIMIT * STEPS_PER_UNIT) + 2];
    private static final double[] SLOPE = new double[VALUE.length];

    static {
        for (int i = 0; i < VALUE.length; i++) {
            double z = i * H;
            VALUE[i] = exact(z);
            SLOPE[i] = TWO_OVER_SQRT_PI * Math.exp(-z * z) * H; // derivative, in units of one table step
        }
    }

    /**
     * erf(z) = 2/sqrt(pi) e^(-z^2) sum_n (2z^2)^n z / (1*3*...*(2n+1)): all terms positive, so there
     * is no cancellation; the terms grow until 2n+1 > 2z^2 and then fall geometrically.
     */
    static double exact(double z) {
        double a = Math.abs(z);
        if (a >= LIMIT) return Math.copySign(1.0, z);
        double twoZ2 = 2 * a * a;
        double term = a, sum = a;
        for (int n = 1; n < 1000; n++) {
            term *= twoZ2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return Math.copySign(Math.min(1.0, TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum), z);
    }

    /** Fast erf: cubic Hermite interpolation of {@link #exact} on a 1/128 grid. */
    static double erf(double z) {
        double a = Math.abs(z);
        if (!(a < LIMIT)) return Double.isNaN(z) ? z : Math.copySign(1.0, z);
        double u = a * STEPS_PER_UNIT;
        int i = (int) u;
        double t = u - i, t2 = t * t, t3 = t2 * t;
        double v = (2 * t3 - 3 * t2 + 1) * VALUE[i] + (t3 - 2 * t2 + t) * SLOPE[i]
                + (3 * t2 - 2 * t3) * VALUE[i + 1] + (t3 - t2) * SLOPE[i + 1];
        return Math.copySign(v, z);
    }
}
