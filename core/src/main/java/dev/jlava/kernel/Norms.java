package dev.jlava.kernel;

import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Normalization layers over one row of n features (vectorized, float32 like llama.cpp and PyTorch). */
public final class Norms {
    private Norms() {}

    /**
     * RMSNorm (LLaMA/Qwen2): {@code out = (x * (1 / sqrt(mean(x^2) + eps))) * w}, with the mean
     * taken in float32 and the two products rounded separately as llama.cpp (rms_norm then mul)
     * and HF do. out may alias x.
     */
    public static void rmsNorm(float[] x, int xOff, float[] w, int wOff, float[] out, int outOff, int n, float eps) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0;
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            FloatVector a = FloatVector.fromArray(F, x, xOff + i), b = FloatVector.fromArray(F, x, xOff + i + L);
            s0 = a.fma(a, s0);
            s1 = b.fma(b, s1);
        }
        for (; i <= n - L; i += L) {
            FloatVector a = FloatVector.fromArray(F, x, xOff + i);
            s0 = a.fma(a, s0);
        }
        float ss = Simd.sum(s0.add(s1));
        for (; i < n; i++) ss += x[xOff + i] * x[xOff + i];
        float mean = ss / n;
        float scale = 1.0f / (float) Math.sqrt(mean + eps);
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, xOff + i).mul(scale).mul(FloatVector.fromArray(F, w, wOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = x[xOff + i] * scale * w[wOff + i];
    }

    /** RMSNorm of each of {@code rows} rows (stride n), in parallel. */
    public static void rmsNorm(float[] x, int rows, int n, float[] w, float eps, float[] out) {
        Parallel.forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) rmsNorm(x, r * n, w, 0, out, r * n, n, eps);
        });
    }

    /**
     * LayerNorm (SigLIP, CLIP): {@code out = (x - mean) / sqrt(var + eps) * w + b} with the biased
     * variance computed in a second pass over {@code x - mean} (PyTorch's float32 kernel). b may
     * be null. out may alias x.
     */
    public static void layerNorm(float[] x, int xOff, float[] w, float[] b, float[] out, int outOff, int n, float eps) {
        FloatVector s = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) s = s.add(FloatVector.fromArray(F, x, xOff + i));
        float sum = Simd.sum(s);
        for (; i < n; i++) sum += x[xOff + i];
        float mean = sum / n;
        FloatVector v = FloatVector.zero(F);
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, xOff + i).sub(mean);
            v = d.fma(d, v);
        }
        float var = Simd.sum(v);
        for (; i < n; i++) {
            float d = x[xOff + i] - mean;
            var += d * d;
        }
        float inv = 1.0f / (float) Math.sqrt(var / n + eps);
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector y = FloatVector.fromArray(F, x, xOff + i).sub(mean).mul(inv).mul(FloatVector.fromArray(F, w, i));
            if (b != null) y = y.add(FloatVector.fromArray(F, b, i));
            y.intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float y = (x[xOff + i] - mean) * inv * w[i];
            out[outOff + i] = b != null ? y + b[i] : y;
        }
    }

    /** LayerNorm of each of {@code rows} rows (stride n), in parallel. */
    public static void layerNorm(float[] x, int rows, int n, float[] w, float[] b, float eps, float[] out) {
        Parallel.forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) layerNorm(x, r * n, w, b, out, r * n, n, eps);
        });
    }
}
