package dev.jlava.vision;

import dev.jlava.kernel.Parallel;

/**
 * Row-wise helpers on row-major [rows][dim] float arrays, split over the thread pool by rows
 * (each row's arithmetic is the same for any split, so results do not depend on the thread count).
 */
final class Rows {
    private Rows() {}

    static void addBias(float[] x, int rows, int dim, float[] bias) {
        Parallel.forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                for (int i = 0; i < dim; i++) x[o + i] += bias[i];
            }
        });
    }

    /** The residual update {@code x += y + bias}; y is what a Linear wrote (it has no bias). */
    static void addResidual(float[] x, float[] y, int rows, int dim, float[] bias) {
        Parallel.forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                for (int i = 0; i < dim; i++) x[o + i] += y[o + i] + bias[i];
            }
        });
    }

    /**
     * {@code x = act(x + bias)}, row by row: the activation reads each row right after its bias
     * is added, while it is in L1 (two passes over the whole matrix, 25 MB for two SigLIP frames'
     * MLP, went through memory twice). The same arithmetic per element as addBias then activate.
     */
    static void addBiasActivate(Activation act, float[] x, int rows, int dim, float[] bias) {
        Parallel.forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                for (int i = 0; i < dim; i++) x[o + i] += bias[i];
                act.apply(x, o, dim);
            }
        });
    }

    /** The activation applied to each row separately (same vector/tail split of every row for any thread count). */
    static void activate(Activation act, float[] x, int rows, int dim) {
        Parallel.forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) act.apply(x, r * dim, dim);
        });
    }
}
