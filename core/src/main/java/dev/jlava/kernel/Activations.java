package dev.jlava.kernel;

import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Activation functions, in place on x[off..off+n) unless noted. Which model uses which:
 * Qwen2/LLaMA MLPs: SiLU-gated ({@link #siluMul}); HF SigLIP: {@code gelu_pytorch_tanh}
 * ({@link #geluTanh}); the LLaVA projector: {@code gelu}, the exact erf form ({@link #geluErf});
 * OpenAI CLIP: {@code quick_gelu} ({@link #quickGelu}).
 */
public final class Activations {
    private Activations() {}

    /** SiLU: x * sigmoid(x) = x / (1 + exp(-x)). */
    public static void silu(float[] x, int off, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            v.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = silu(x[off + i]);
    }

    /** SwiGLU: {@code out[i] = silu(gate[i]) * up[i]}; out may alias gate or up. */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, float[] out, int oOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, gOff + i);
            g.div(g.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(F, up, uOff + i)).intoArray(out, oOff + i);
        }
        for (; i < n; i++) out[oOff + i] = silu(gate[gOff + i]) * up[uOff + i];
    }

    private static float silu(float v) {
        return v / (1f + (float) Math.exp(-v));
    }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    /** GELU, tanh approximation (PyTorch {@code gelu(approximate='tanh')}): 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))). */
    public static void geluTanh(float[] x, int off, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            FloatVector inner = v.mul(v).mul(v).fma(FloatVector.broadcast(F, 0.044715f), v).mul(SQRT_2_OVER_PI);
            v.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            float v = x[off + i];
            float inner = SQRT_2_OVER_PI * (v + 0.044715f * v * v * v);
            x[off + i] = 0.5f * v * (1f + (float) Math.tanh(inner));
        }
    }

    /** Quick GELU (OpenAI CLIP): x * sigmoid(1.702 x). */
    public static void quickGelu(float[] x, int off, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            v.div(v.mul(-1.702f).lanewise(VectorOperators.EXP).add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            float v = x[off + i];
            x[off + i] = v / (1f + (float) Math.exp(-1.702f * v));
        }
    }

    /**
     * GELU, exact form (PyTorch {@code gelu}, the LLaVA projector): 0.5x(1 + erf(x / sqrt 2)).
     * Scalar, in double (the Vector API has no erf); it runs once per projector, a few ms per frame.
     */
    public static void geluErf(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[off + i];
            x[off + i] = (float) (0.5 * v * (1 + erf(v * 0.7071067811865476)));
        }
    }

    // erf(z) = z * P(z^2) for |z| <= 1, and 1 - exp(-z^2) * u * Q(u) with u = 1/|z| for 1 < |z| < 5;
    // P and Q are least-squares fits on Chebyshev nodes to libm's erf/erfc (relative error below
    // 2e-9 and 7e-9 respectively), fitted for this project. |erf| rounds to 1 in float beyond 5.
    private static final double[] ERF_P = {
        1.1283791665933638, -0.3761262987729902, 0.1128362571318245, -0.026855398721604473,
        0.005191216606481795, -0.0008034827974700452, 7.933422387841957e-05};
    private static final double[] ERFC_Q = {
        0.564258128676638, -0.0018705324715021106, -0.25970483902863756, -0.15395934873720235,
        1.0870781379772236, -1.8048063565981243, 1.7046895992244029, -0.9902526911228761,
        0.3312268689078148, -0.04907539352688118};

    /** The error function, absolute error below 2e-9. */
    static double erf(double z) {
        double a = Math.abs(z);
        if (a <= 1) {
            double t = z * z, p = 0;
            for (int i = ERF_P.length - 1; i >= 0; i--) p = p * t + ERF_P[i];
            return z * p;
        }
        if (a >= 5) return Math.copySign(1.0, z);
        double u = 1 / a, q = 0;
        for (int i = ERFC_Q.length - 1; i >= 0; i--) q = q * u + ERFC_Q[i];
        return Math.copySign(1 - Math.exp(-a * a) * u * q, z);
    }
}
