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
        int stride = heads * headDim;
        for (int r = 0; r < n; r++) {
            int p = positions[posOff + r];
            for (int i = 0; i < half; i++) {
                double a = p * invFreq[i];
                cos[i] = (float) Math.cos(a);
                sin[i] = (float) Math.sin(a);
            }
            for (int h = 0; h < heads; h++) {
                int base = r * stride + h * headDim;
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
}
