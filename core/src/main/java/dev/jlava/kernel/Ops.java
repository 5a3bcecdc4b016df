package dev.jlava.kernel;

import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Vectorized elementwise and reduction kernels on float arrays (offset + length addressing). */
public final class Ops {
    private Ops() {}

    /** Sum of a[i] * b[i]. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
            s1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), s1);
            s2 = FloatVector.fromArray(F, a, aOff + i + 2 * L).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), s2);
            s3 = FloatVector.fromArray(F, a, aOff + i + 3 * L).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), s3);
        }
        for (; i <= n - L; i += L) s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
        float s = Simd.sum(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** y[i] += alpha * x[i]. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }

    /** y[i] += x[i] (residual connections). */
    public static void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += x[xOff + i];
    }

    /** y[i] *= x[i]. */
    public static void mul(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, y, yOff + i).mul(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] *= x[xOff + i];
    }

    /** y[i] *= s. */
    public static void scale(float[] y, int yOff, int n, float s) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(F, y, yOff + i).mul(s).intoArray(y, yOff + i);
        for (; i < n; i++) y[yOff + i] *= s;
    }

    /** Adds bias[0..cols) to each of the {@code rows} rows of y (row stride cols). */
    public static void addBias(float[] y, int rows, int cols, float[] bias) {
        for (int r = 0; r < rows; r++) add(y, r * cols, bias, 0, cols);
    }

    /** Index of the largest element (the first one on ties; NaN is never chosen unless all are NaN). */
    public static int argmax(float[] x, int off, int n) {
        if (n <= 0) throw new IllegalArgumentException("argmax of an empty range");
        int best = 0;
        float bv = x[off];
        for (int i = 1; i < n; i++) {
            float v = x[off + i];
            if (v > bv || (Float.isNaN(bv) && !Float.isNaN(v))) {
                bv = v;
                best = i;
            }
        }
        return best;
    }

    /** Largest element. */
    public static float max(float[] x, int off, int n) {
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - L; i += L) m = m.max(FloatVector.fromArray(F, x, off + i));
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) r = Math.max(r, x[off + i]);
        return r;
    }

    /**
     * In-place softmax over x[off..off+n), as llama.cpp in float32: subtract the max,
     * exponentiate, sum, multiply by 1/sum. Entries of -inf (masked) become 0; a row that is all
     * -inf becomes all 0 rather than NaN.
     */
    public static void softmax(float[] x, int off, int n) {
        float mx = max(x, off, n);
        if (mx == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(x, off, off + n, 0f);
            return;
        }
        scale(x, off, n, 1f / expShifted(x, off, n, mx));
    }

    /** In place: x[i] = exp(x[i] - shift) over x[off..off+n); returns their sum (softmax's numerators and denominator). */
    public static float expShifted(float[] x, int off, int n, float shift) {
        FloatVector sum = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector e = FloatVector.fromArray(F, x, off + i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            sum = sum.add(e);
        }
        float s = Simd.sum(sum);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - shift);
            x[off + i] = e;
            s += e;
        }
        return s;
    }
}
