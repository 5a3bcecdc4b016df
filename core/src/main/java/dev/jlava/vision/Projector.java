package dev.jlava.vision;

import dev.jlava.io.WeightLoader;

import dev.jlava.io.WeightStore;
import dev.jlava.kernel.Linear;

/**
 * LlavaMultiModalProjector: {@code linear_2(act(linear_1(features)))}, act = the exact erf GELU for
 * every llava-hf checkpoint ({@code projector_hidden_act} "gelu"); biases unless
 * {@code multimodal_projector_bias} is false. Maps vision features to the text model's width.
 */
public final class Projector {
    /** Rows per GEMM call, to bound the intermediate buffer. */
    private static final int CHUNK_ROWS = 2048;

    private final Linear linear1, linear2;
    private final float[] bias1, bias2; // null without bias
    private final Activation activation;

    public Projector(Linear linear1, float[] bias1, Linear linear2, float[] bias2, Activation activation) {
        if (linear2.inFeatures() != linear1.outFeatures()) {
            throw new IllegalArgumentException("linear_2 takes " + linear2.inFeatures() + " features, linear_1 gives " + linear1.outFeatures());
        }
        this.linear1 = linear1;
        this.linear2 = linear2;
        this.bias1 = bias1;
        this.bias2 = bias2;
        this.activation = activation;
    }

    /** Loads {@code prefix + "linear_1.weight"} etc. for the tower's feature width and the config's activation/bias. */
    public static Projector load(VisionConfig c, WeightStore store, String prefix) {
        WeightLoader ld = new WeightLoader(store);
        String w1 = prefix + "linear_1.weight", w2 = prefix + "linear_2.weight";
        if (!store.has(w1)) throw new dev.jlava.io.ModelFileException(store.fileOf(w1), "missing tensor '" + w1 + "'");
        long out = store.get(w1).dim(0);
        Linear l1 = ld.gemmLinear(w1, out, c.featureDim());
        Linear l2 = ld.gemmLinear(w2, out, out);
        float[] b1 = c.projectorBias() ? ld.vector(prefix + "linear_1.bias", out) : null;
        float[] b2 = c.projectorBias() ? ld.vector(prefix + "linear_2.bias", out) : null;
        return new Projector(l1, b1, l2, b2, c.projectorActivation());
    }

    public int inFeatures() { return linear1.inFeatures(); }

    public int outFeatures() { return linear2.outFeatures(); }

    /** [rows][inFeatures] to [rows][outFeatures]. */
    public float[] forward(float[] x, int rows) {
        int in = inFeatures(), mid = linear1.outFeatures(), out = outFeatures();
        if (x.length < (long) rows * in) throw new IllegalArgumentException(rows + " rows of " + in + " need " + (long) rows * in + " floats, got " + x.length);
        float[] y = new float[Math.multiplyExact(rows, out)];
        int chunk = Math.min(rows, CHUNK_ROWS);
        float[] xs = new float[chunk * in], h = new float[chunk * mid], ys = new float[chunk * out];
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int n = Math.min(chunk, rows - r0);
            System.arraycopy(x, r0 * in, xs, 0, n * in);
            linear1.forward(xs, n, h);
            // over the pool, row by row (the erf GELU is scalar: one thread took ~0.5 s per 32 frames)
            if (bias1 != null) Rows.addBiasActivate(activation, h, n, mid, bias1);
            else Rows.activate(activation, h, n, mid);
            linear2.forward(h, n, ys);
            if (bias2 != null) Rows.addBias(ys, n, out, bias2);
            System.arraycopy(ys, 0, y, r0 * out, n * out);
        }
        return y;
    }
}
