package dev.jlava.reduce;

/**
 * What the decoder hands a {@link LayerReducer} between two layers, during prefill.
 *
 * @param layer               the layer about to run (the stage acts before it)
 * @param sequenceLength      rows in the current (possibly already pruned) sequence
 * @param visualIndices       indices into the current sequence of the visual rows still present,
 *                            ascending, newline rows included
 * @param newline             parallel to {@code visualIndices}: whether that row is an {@code image_newline}
 * @param visualHidden        parallel to {@code visualIndices}: the hidden rows entering {@code layer}
 *                            (the output of layer − 1); may be null when {@link LayerReducer#needsHidden()} is false
 * @param lastQueryAttention  layer − 1's attention probabilities of the <b>last prompt token</b> over the
 *                            current sequence, softmax over all keys it sees (causal row, fp32), averaged
 *                            over the query heads; length {@code sequenceLength}
 * @param originalVisualCount grid (non-newline) visual rows in the prompt before any in-decoder reduction
 */
public record LayerState(int layer, int sequenceLength, int[] visualIndices, boolean[] newline, float[][] visualHidden,
                         float[] lastQueryAttention, int originalVisualCount) {
    public LayerState {
        if (newline.length != visualIndices.length) throw new IllegalArgumentException(visualIndices.length + " visual indices but " + newline.length + " newline flags");
        if (visualHidden != null && visualHidden.length != visualIndices.length) {
            throw new IllegalArgumentException(visualIndices.length + " visual indices but " + visualHidden.length + " hidden rows");
        }
        if (lastQueryAttention != null && lastQueryAttention.length != sequenceLength) {
            throw new IllegalArgumentException("attention row has " + lastQueryAttention.length + " entries for a sequence of " + sequenceLength);
        }
    }

    /** The visual rows that are grid tokens (not newlines), as positions into {@link #visualIndices()}. */
    public int[] gridSlots() {
        int c = 0;
        for (boolean b : newline) if (!b) c++;
        int[] out = new int[c];
        for (int i = 0, j = 0; i < newline.length; i++) if (!newline[i]) out[j++] = i;
        return out;
    }

    public float[] requireAttention(String who) {
        if (lastQueryAttention == null) throw new IllegalStateException(who + " before layer " + layer + " needs layer " + (layer - 1) + "'s last-query attention");
        return lastQueryAttention;
    }
}
