package dev.jlava.vision;

import dev.jlava.kernel.Parallel;

/** LayerNorm over the last dimension with biased variance, as torch.nn.LayerNorm; row statistics in double. */
final class LayerNorm {
    private LayerNorm() {}

    /** {@code out[r] = (x[r] - mean) / sqrt(var + eps) * w + b} for {@code rows} rows of {@code dim}; out may be x. */
    static void apply(float[] x, int rows, int dim, float[] w, float[] b, double eps, float[] out) {
        Parallel.forRange(rows, (r0, r1) -> apply(x, r0, r1, dim, w, b, eps, out));
    }

    private static void apply(float[] x, int r0, int r1, int dim, float[] w, float[] b, double eps, float[] out) {
        for (int r = r0; r < r1; r++) {
            int o = r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) sum += x[o + i];
            double mean = sum / dim;
            double sq = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[o + i] - mean;
                sq += d * d;
            }
            float inv = (float) (1.0 / Math.sqrt(sq / dim + eps));
            float m = (float) mean;
            for (int i = 0; i < dim; i++) out[o + i] = (x[o + i] - m) * inv * w[i] + b[i];
        }
    }
}
