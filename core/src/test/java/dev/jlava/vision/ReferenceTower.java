package dev.jlava.vision;

import java.util.Map;

/**
 * A naive float64 SigLIP/CLIP tower for the tests, written from the HF module definitions without
 * any of the engine's code: the conv as explicit loops over (c, ky, kx), every hidden state kept,
 * attention probabilities of every head of the deepest layer run.
 */
final class ReferenceTower {
    final double[][][] hidden; // [index 0..run][tokens][dim] of one frame
    final double[][][] probs;  // [heads][tokens][tokens] of the deepest layer run (null if none)
    final double[][] keys;     // [tokens][hidden] k_proj output of that layer

    private ReferenceTower(double[][][] hidden, double[][][] probs, double[][] keys) {
        this.hidden = hidden;
        this.probs = probs;
        this.keys = keys;
    }

    static ReferenceTower run(VisionConfig c, Map<String, float[]> w, float[] pixels, int frame) {
        String p = RandomTowers.PREFIX, e = p + "embeddings.";
        int d = c.hidden(), ps = c.patchSize(), g = c.grid(), img = c.imageSize(), ch = c.channels();
        int t = c.tokens(), run = c.layersToRun();
        boolean clip = c.family() == VisionConfig.Family.CLIP;
        float[] conv = w.get(e + "patch_embedding.weight"), pos = w.get(e + "position_embedding.weight");
        double[][] x = new double[t][d];
        int base = frame * ch * img * img;
        for (int py = 0; py < g; py++) {
            for (int px = 0; px < g; px++) {
                int tok = py * g + px + (clip ? 1 : 0);
                for (int o = 0; o < d; o++) {
                    double s = clip ? 0 : w.get(e + "patch_embedding.bias")[o];
                    for (int cc = 0; cc < ch; cc++) {
                        for (int ky = 0; ky < ps; ky++) {
                            for (int kx = 0; kx < ps; kx++) {
                                s += conv[((o * ch + cc) * ps + ky) * ps + kx] * (double) pixels[base + (cc * img + py * ps + ky) * img + px * ps + kx];
                            }
                        }
                    }
                    x[tok][o] = s;
                }
            }
        }
        if (clip) for (int o = 0; o < d; o++) x[0][o] = w.get(e + "class_embedding")[o];
        for (int i = 0; i < t; i++) for (int o = 0; o < d; o++) x[i][o] += pos[i * d + o];
        if (clip) x = layerNorm(x, w.get(p + "pre_layrnorm.weight"), w.get(p + "pre_layrnorm.bias"), c.layerNormEps());

        double[][][] hs = new double[run + 1][][];
        hs[0] = copy(x);
        double[][][] probs = null;
        double[][] keys = null;
        int heads = c.heads(), hd = c.headDim();
        for (int l = 0; l < run; l++) {
            String q = p + "encoder.layers." + l + ".";
            double[][] h = layerNorm(x, w.get(q + "layer_norm1.weight"), w.get(q + "layer_norm1.bias"), c.layerNormEps());
            double[][] qq = linear(h, w.get(q + "self_attn.q_proj.weight"), w.get(q + "self_attn.q_proj.bias"), d);
            double[][] kk = linear(h, w.get(q + "self_attn.k_proj.weight"), w.get(q + "self_attn.k_proj.bias"), d);
            double[][] vv = linear(h, w.get(q + "self_attn.v_proj.weight"), w.get(q + "self_attn.v_proj.bias"), d);
            double[][] ctx = new double[t][d];
            double[][][] pr = new double[heads][t][t];
            for (int hh = 0; hh < heads; hh++) {
                for (int i = 0; i < t; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < t; j++) {
                        double s = 0;
                        for (int k = 0; k < hd; k++) s += qq[i][hh * hd + k] * kk[j][hh * hd + k];
                        pr[hh][i][j] = s / Math.sqrt(hd);
                        max = Math.max(max, pr[hh][i][j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < t; j++) sum += pr[hh][i][j] = Math.exp(pr[hh][i][j] - max);
                    for (int j = 0; j < t; j++) pr[hh][i][j] /= sum;
                    for (int k = 0; k < hd; k++) {
                        double s = 0;
                        for (int j = 0; j < t; j++) s += pr[hh][i][j] * vv[j][hh * hd + k];
                        ctx[i][hh * hd + k] = s;
                    }
                }
            }
            double[][] o = linear(ctx, w.get(q + "self_attn.out_proj.weight"), w.get(q + "self_attn.out_proj.bias"), d);
            for (int i = 0; i < t; i++) for (int k = 0; k < d; k++) x[i][k] += o[i][k];
            h = layerNorm(x, w.get(q + "layer_norm2.weight"), w.get(q + "layer_norm2.bias"), c.layerNormEps());
            double[][] m = linear(h, w.get(q + "mlp.fc1.weight"), w.get(q + "mlp.fc1.bias"), c.intermediate());
            for (double[] row : m) for (int k = 0; k < row.length; k++) row[k] = ActivationTest.reference(c.activation(), row[k]);
            double[][] f = linear(m, w.get(q + "mlp.fc2.weight"), w.get(q + "mlp.fc2.bias"), d);
            for (int i = 0; i < t; i++) for (int k = 0; k < d; k++) x[i][k] += f[i][k];
            hs[l + 1] = copy(x);
            probs = pr;
            keys = kk;
        }
        return new ReferenceTower(hs, probs, keys);
    }

    /** The LLaVA projector in float64. */
    static double[] project(float[] x, int rows, Map<String, float[]> w, int in, int out) {
        double[][] a = new double[rows][in];
        for (int r = 0; r < rows; r++) for (int i = 0; i < in; i++) a[r][i] = x[r * in + i];
        String p = RandomTowers.PROJ;
        double[][] h = linear(a, w.get(p + "linear_1.weight"), w.get(p + "linear_1.bias"), out);
        for (double[] row : h) for (int k = 0; k < row.length; k++) row[k] = ActivationTest.reference(Activation.GELU_ERF, row[k]);
        double[][] y = linear(h, w.get(p + "linear_2.weight"), w.get(p + "linear_2.bias"), out);
        double[] flat = new double[rows * out];
        for (int r = 0; r < rows; r++) System.arraycopy(y[r], 0, flat, r * out, out);
        return flat;
    }

    static double[][] linear(double[][] x, float[] w, float[] b, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int r = 0; r < x.length; r++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) s += w[o * in + i] * x[r][i];
                y[r][o] = s;
            }
        }
        return y;
    }

    static double[][] layerNorm(double[][] x, float[] w, float[] b, double eps) {
        double[][] y = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            int d = x[r].length;
            double mean = 0, var = 0;
            for (double v : x[r]) mean += v;
            mean /= d;
            for (double v : x[r]) var += (v - mean) * (v - mean);
            var /= d;
            y[r] = new double[d];
            for (int i = 0; i < d; i++) y[r][i] = (x[r][i] - mean) / Math.sqrt(var + eps) * w[i] + b[i];
        }
        return y;
    }

    static double[][] copy(double[][] x) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) y[i] = x[i].clone();
        return y;
    }
}
