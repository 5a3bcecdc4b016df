package dev.jlava.reduce;

/**
 * What the decoder hands a {@link CacheReducer} in one layer at one decoding step, after computing
 * the new token's q/k/v and before this step's attention.
 *
 * @param layer              the decoder layer
 * @param step               t = 1 for the first token fed after prefill (the token sampled from the prefill logits)
 * @param visualAfterPrefill N_l: the visual entries this layer's cache held when prefill ended
 * @param entries            ids of the evictable visual entries the cache holds now (their original
 *                           positions), ascending; newline entries are not passed
 * @param scores             parallel to {@code entries}: the new token's attention probabilities at those
 *                           keys, softmax over every key the layer holds plus the new token itself, averaged
 *                           over query heads (may be null when {@link CacheReducer#needsScores} is false)
 */
public record CacheState(int layer, int step, int visualAfterPrefill, int[] entries, float[] scores) {
    public CacheState {
        if (scores != null && scores.length != entries.length) throw new IllegalArgumentException(entries.length + " entries, " + scores.length + " scores");
    }
}
