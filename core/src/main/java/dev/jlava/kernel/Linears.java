package dev.jlava.kernel;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;

/** Chooses the Linear implementation per weight dtype. */
final class Linears {
    private Linears() {}

    static Linear of(Tensor w) {
        if (w.rank() != 2) throw new IllegalArgumentException("linear weight " + w.name() + " must be 2-D, is " + java.util.Arrays.toString(w.shape()));
        return new ReferenceLinear(w);
    }

    /** Plain dot-per-output reference: dequantizes one weight row at a time. Q8_0 follows llama.cpp (activations quantized too). */
    static final class ReferenceLinear implements Linear {
        private final Tensor w;
        private final int in, out;

        ReferenceLinear(Tensor w) {
            this.w = w;
            this.in = Math.toIntExact(w.dim(1));
            this.out = Math.toIntExact(w.dim(0));
        }

        @Override public int inFeatures() { return in; }

        @Override public int outFeatures() { return out; }

        @Override
        public void forward(float[] x, int m, float[] y) {
            float[] row = new float[in];
            for (int o = 0; o < out; o++) {
                w.rowToFloats(o, row, 0);
                for (int t = 0; t < m; t++) {
                    float s = 0;
                    int xo = t * in;
                    for (int i = 0; i < in; i++) s += x[xo + i] * row[i];
                    y[t * out + o] = s;
                }
            }
        }
    }
}
