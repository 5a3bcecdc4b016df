package dev.jlava.reduce;

import java.util.Arrays;

/**
 * What a {@link LayerReducer} decides: the rows of the current sequence that go on to the next
 * layers, and new hidden rows for some of them (merges). The decoder first writes the
 * replacements, then keeps {@code keep}; kept rows keep their position ids (RoPE positions with
 * gaps), and the KV caches of this layer and later ones only get the kept rows.
 *
 * @param keep            ascending indices into the current sequence
 * @param replaced        indices into the current sequence (a subset of {@code keep}) whose hidden row changes
 * @param replacementRows parallel to {@code replaced}
 */
public record LayerDecision(int[] keep, int[] replaced, float[][] replacementRows) {
    public LayerDecision {
        if (replaced.length != replacementRows.length) throw new IllegalArgumentException(replaced.length + " replaced indices, " + replacementRows.length + " rows");
        for (int i = 1; i < keep.length; i++) {
            if (keep[i] <= keep[i - 1]) throw new IllegalArgumentException("keep list is not strictly ascending at " + i);
        }
    }

    public static LayerDecision keepAll(int sequenceLength) {
        int[] k = new int[sequenceLength];
        for (int i = 0; i < k.length; i++) k[i] = i;
        return new LayerDecision(k, new int[0], new float[0][]);
    }

    public static LayerDecision prune(int[] keep) {
        return new LayerDecision(keep, new int[0], new float[0][]);
    }

    public boolean keepsAll(int sequenceLength) {
        return keep.length == sequenceLength && replaced.length == 0;
    }

    /**
     * Keeps every non-visual row and the visual rows at {@code keptSlots} (positions into
     * {@code state.visualIndices()}, any order).
     */
    public static LayerDecision keepVisual(LayerState state, int[] keptSlots) {
        boolean[] drop = new boolean[state.sequenceLength()];
        for (int v : state.visualIndices()) drop[v] = true;
        for (int s : keptSlots) drop[state.visualIndices()[s]] = false;
        int c = 0;
        for (boolean d : drop) if (!d) c++;
        int[] keep = new int[c];
        for (int i = 0, j = 0; i < drop.length; i++) if (!drop[i]) keep[j++] = i;
        return prune(keep);
    }

    @Override
    public String toString() {
        return "LayerDecision[keep " + keep.length + ", replaced " + Arrays.toString(replaced) + "]";
    }
}
