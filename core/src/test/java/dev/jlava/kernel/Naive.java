package dev.jlava.kernel;

import java.util.Random;

/** Double-precision reference implementations and error measures for kernel tests. */
final class Naive {
    private Naive() {}

    /** C = alpha * A . B^T (+ C0), A [m][k] lda, B [n][k] ldb, in double. */
    static double[] abT(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, int m, int n, int k) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[aOff + i * lda + p] * b[bOff + j * ldb + p];
                c[i * n + j] = s;
            }
        return c;
    }

    /** Sum over p of |a_ip| |b_jp|: the scale of float32 rounding error in c_ij. */
    static double[] absAbT(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, int m, int n, int k) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += Math.abs((double) a[aOff + i * lda + p] * b[bOff + j * ldb + p]);
                c[i * n + j] = s;
            }
        return c;
    }

    /** Transposes a [rows][cols] block read with leading dimension ld into a dense [cols][rows]. */
    static float[] transpose(float[] x, int off, int ld, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = x[off + i * ld + j];
        return t;
    }

    static float[] gaussian(Random rnd, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * scale);
        return x;
    }

    /** Largest |got - want| / (scale + tiny) over all elements. */
    static double maxRelError(float[] got, int gOff, int ldg, double[] want, double[] scale, int m, int n) {
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double e = Math.abs(got[gOff + i * ldg + j] - want[i * n + j]) / (scale[i * n + j] + 1e-30);
                if (!(e <= worst)) worst = e; // NaN propagates as a failure
            }
        return worst;
    }

    /** llama.cpp's Q8_0 activation rule, scalar: q = rint(x * 127/amax), d = f16(amax/127); returns q*d. */
    static float[] q8RoundTrip(float[] x, int off, int k) {
        float[] out = new float[k];
        for (int b = 0; b < k; b += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[off + b + j]));
            float id = amax == 0 ? 0 : 127f / amax;
            float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            for (int j = 0; j < 32; j++) out[b + j] = (float) Math.rint(x[off + b + j] * id) * d;
        }
        return out;
    }
}
