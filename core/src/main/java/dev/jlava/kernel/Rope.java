package dev.jlava.kernel;

/**
 * Rotary position embedding applied at an explicit position per row, so tokens kept after a
 * reduction keep their original positions. NEOX pairs (i, i + d/2) (HF "rotate_half");
 * NORM pairs (2i, 2i + 1) (llama.cpp on LLaMA's permuted q/k weights).
 */
public final class Rope {
    private final int headDim;
    private final double[] invFreq;
    private final boolean neox;

    public Rope(int headDim, double theta, boolean neox) {
        this.headDim = headDim;
        this.neox = neox;
        this.invFreq = new double[headDim / 2];
        for (int i = 0; i < headDim / 2; i++) invFreq[i] = Math.pow(theta, -2.0 * i / headDim);
    }

    /** Rotates {@code heads} consecutive heads of each of n rows (row stride = heads*headDim) in place. */
    public void apply(float[] x, int n, int heads, int[] positions, int posOff) {
        int half = headDim / 2;
        float[] cos = new float[half], sin = new float[half];
        for (int r = 0; r < n; r++) {
            angles(positions[posOff + r], cos, sin);
            rotate(x, r, heads, cos, sin);
        }
    }

    /**
     * Rows [r0, r1) of q ({@code qHeads} heads per row) and k ({@code kHeads}) at positions[r],
     * each row's angles computed once for both: the same values as two {@link #apply} calls.
     * Disjoint row ranges may run in parallel.
     */
    public void apply(float[] q, int qHeads, float[] k, int kHeads, int r0, int r1, int[] positions) {
        int half = headDim / 2;
        float[] cos = new float[half], sin = new float[half];
        for (int r = r0; r < r1; r++) {
            angles(positions[r], cos, sin);
            rotate(q, r, qHeads, cos, sin);
            rotate(k, r, kHeads, cos, sin);
        }
    }

    private void angles(int p, float[] cos, float[] sin) {
        for (int i = 0; i < cos.length; i++) {
            double a = p * invFreq[i];
            cos[i] = (float) Math.cos(a);
            sin[i] = (float) Math.sin(a);
        }
    }

    private void rotate(float[] x, int r, int heads, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = (r * heads + h) * headDim;
            for (int i = 0; i < half; i++) {
                int i0 = neox ? base + i : base + 2 * i;
                int i1 = neox ? base + i + half : base + 2 * i + 1;
                float x0 = x[i0], x1 = x[i1];
                x[i0] = x0 * cos[i] - x1 * sin[i];
                x[i1] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
