package dev.jlava.llm;

import java.util.Arrays;

/**
 * The rows flowing through the decoder during one forward call: hidden states [n][dim] and the
 * RoPE position of each row. A {@link LayerHook} may keep a subset of rows or overwrite rows
 * (merging), between layers; positions of kept rows never change.
 */
public final class HiddenState {
    private float[] x;
    private int n;
    private final int dim;
    private int[] positions;

    public HiddenState(float[] x, int n, int dim, int[] positions) {
        if (positions.length < n || x.length < n * dim) throw new IllegalArgumentException("rows/positions mismatch");
        this.x = x;
        this.n = n;
        this.dim = dim;
        this.positions = positions;
    }

    public float[] data() { return x; }

    public int rows() { return n; }

    public int dim() { return dim; }

    public int position(int row) { return positions[row]; }

    public int[] positions() { return Arrays.copyOf(positions, n); }

    public float[] row(int r) { return Arrays.copyOfRange(x, r * dim, (r + 1) * dim); }

    public void setRow(int r, float[] values) {
        if (values.length != dim) throw new IllegalArgumentException("row length " + values.length + " != " + dim);
        System.arraycopy(values, 0, x, r * dim, dim);
    }

    /** Keeps the listed rows (strictly increasing indices), dropping the others. */
    public void retain(int[] keep) {
        int prev = -1;
        float[] nx = new float[keep.length * dim];
        int[] np = new int[keep.length];
        for (int i = 0; i < keep.length; i++) {
            int r = keep[i];
            if (r <= prev || r >= n) throw new IllegalArgumentException("keep rows must be increasing and < " + n);
            prev = r;
            System.arraycopy(x, r * dim, nx, i * dim, dim);
            np[i] = positions[r];
        }
        x = nx;
        positions = np;
        n = keep.length;
    }
}
