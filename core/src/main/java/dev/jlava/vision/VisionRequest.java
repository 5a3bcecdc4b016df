package dev.jlava.vision;

/**
 * What a tower call returns besides the features.
 *
 * @param score      an attention statistic of the deepest layer run, or NONE
 * @param keyMetric  also return that layer's key vectors (k_proj output with bias, unscaled) averaged
 *                   over the heads, [patches][headDim] per frame (CLS left out, like the scores):
 *                   VisionZip's similarity metric
 * @param allTokens  return every token of the sequence, ignoring the select strategy (VisionZip
 *                   keeps the CLS hidden state even under "default")
 */
public record VisionRequest(AttentionScore score, boolean keyMetric, boolean allTokens) {
    public static final VisionRequest FEATURES = new VisionRequest(AttentionScore.NONE, false, false);
    /** Features plus HoliTom's received-attention score. */
    public static final VisionRequest HOLITOM = new VisionRequest(AttentionScore.RECEIVED_MEAN, false, false);
    /** All tokens (CLS first), the CLS attention summed over heads and the key metric. */
    public static final VisionRequest VISIONZIP = new VisionRequest(AttentionScore.CLS_HEAD_SUM, true, true);

    public VisionRequest {
        if (score == null) throw new IllegalArgumentException("score must not be null (use AttentionScore.NONE)");
    }

    /** Whether the deepest layer's attention must be observed. */
    boolean tapsAttention() {
        return score != AttentionScore.NONE || keyMetric;
    }
}
