package dev.jlava.reduce;

import java.util.Arrays;

/** Top-k selection with the tie rule every stage uses: larger value first, then lower index. */
public final class TopK {
    private TopK() {}

    /** Indices of the {@code k} largest values, in descending value order (ties: lower index first). */
    public static int[] largest(float[] v, int k) {
        if (k < 0 || k > v.length) throw new IllegalArgumentException("top-" + k + " of " + v.length + " values");
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> {
            int c = Float.compare(v[b], v[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = idx[i];
        return out;
    }

    /** The same set as {@link #largest}, sorted ascending by index. */
    public static int[] largestSorted(float[] v, int k) {
        int[] t = largest(v, k);
        Arrays.sort(t);
        return t;
    }

    /** Python's {@code round}: half to even. */
    public static long roundHalfEven(double x) {
        return (long) Math.rint(x);
    }
}
