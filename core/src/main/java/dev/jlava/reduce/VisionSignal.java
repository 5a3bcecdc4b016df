package dev.jlava.reduce;

/** Extra outputs a {@link VisualReducer} asks the vision tower for, besides the features. */
public enum VisionSignal {
    /**
     * One importance score per grid token, [frames][tokens], on the same grid as the tokens the
     * reducer receives (pool it with {@link SpatialPooling} like the features).
     * SigLIP (no CLS, HoliTom spec §2): the feature layer's attention probabilities averaged over
     * heads and over all queries, so each frame sums to 1. CLIP (LLaVA-1.5 VisionZip): the
     * feature layer's CLS query row over the patch columns, <em>summed</em> over heads.
     */
    TOKEN_SCORES,
    /**
     * The feature layer's key vectors (k_proj output with bias, before any scaling) averaged over
     * heads, [frames][tokens][head_dim], on the same grid as the tokens (VisionZip's "metric").
     */
    KEY_METRIC
}
