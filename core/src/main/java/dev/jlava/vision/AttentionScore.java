package dev.jlava.vision;

/**
 * Which per-token attention statistic a tower call should also return, taken from the softmax
 * probabilities of the deepest encoder layer it runs (the layer whose output is the feature layer).
 */
public enum AttentionScore {
    NONE,
    /**
     * HoliTom's score (spec §2): the attention each token receives, probabilities averaged over the
     * heads and then over all query tokens; one value per token of the sequence (CLS included for
     * CLIP), summing to 1 per frame.
     */
    RECEIVED_MEAN,
    /**
     * VisionZip's dominant-token score (CLIP only): the CLS query row of each head, summed over the
     * heads, at the patch columns; one value per patch (the CLS column is left out).
     */
    CLS_HEAD_SUM
}
