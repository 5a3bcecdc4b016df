package dev.jlava.vision;

/** Row-wise helpers on row-major [rows][dim] float arrays. */
final class Rows {
    private Rows() {}

    static void addBias(float[] x, int rows, int dim, float[] bias) {
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            for (int i = 0; i < dim; i++) x[o + i] += bias[i];
        }
    }

    /** The residual update {@code x += y + bias}; y is what a Linear wrote (it has no bias). */
    static void addResidual(float[] x, float[] y, int rows, int dim, float[] bias) {
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            for (int i = 0; i < dim; i++) x[o + i] += y[o + i] + bias[i];
        }
    }
}
