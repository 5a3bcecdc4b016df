package dev.jlava.kernel;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;

/**
 * Dot-per-output reference, the oracle for the fast kernels: dequantizes one weight row at a
 * time and accumulates in double. For Q8_0 and Q4_0 weights the input row is first quantized
 * to Q8_0 with llama.cpp's rule (written out here in scalar form, independently of
 * {@link Q8Activations}), so the result is exact up to the final rounding.
 */
final class ReferenceLinear implements Linear {
    private final Tensor w;
    private final int in, out;
    private final boolean quantizeInput;

    ReferenceLinear(Tensor w) {
        this.w = w;
        this.in = Math.toIntExact(w.dim(1));
        this.out = Math.toIntExact(w.dim(0));
        this.quantizeInput = w.dtype() == DType.Q8_0 || w.dtype() == DType.Q4_0;
    }

    @Override public int inFeatures() { return in; }

    @Override public int outFeatures() { return out; }

    @Override
    public void forward(float[] x, int m, float[] y) {
        float[] row = new float[in];
        float[] xs = new float[in];
        for (int t = 0; t < m; t++) {
            System.arraycopy(x, t * in, xs, 0, in);
            if (quantizeInput) quantizeDequantizeQ8_0(xs);
            for (int o = 0; o < out; o++) {
                w.rowToFloats(o, row, 0);
                double s = 0;
                for (int i = 0; i < in; i++) s += (double) xs[i] * row[i];
                y[t * out + o] = (float) s;
            }
        }
    }

    /** llama.cpp's activation rule, in place: per 32 values q = rint(x * 127/amax), value q * f16(amax/127). */
    static void quantizeDequantizeQ8_0(float[] v) {
        for (int b = 0; b < v.length; b += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(v[b + j]));
            float id = amax == 0 ? 0 : 127f / amax;
            float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            for (int j = 0; j < 32; j++) v[b + j] = (float) Math.rint(v[b + j] * id) * d;
        }
    }
}
