package dev.jlava.vision;

import java.util.Arrays;

/**
 * The result of one tower call over {@code frames} images, row-major float arrays.
 *
 * @param features       [frames][tokens][dim]: the selected hidden state(s), concatenated along dim
 * @param attentionScore [frames][scoreLength], or null when not requested
 * @param keyMetric      [frames][keyTokens][keyDim] (keyTokens = the patches, CLS left out; keyDim =
 *                       head_dim), or null when not requested
 */
public record VisionOutput(float[] features, int frames, int tokens, int dim,
                           float[] attentionScore, int scoreLength,
                           float[] keyMetric, int keyTokens, int keyDim) {

    /** The features of one frame, [tokens][dim] (a copy). */
    public float[] frameFeatures(int frame) {
        int n = tokens * dim;
        return Arrays.copyOfRange(features, frame * n, (frame + 1) * n);
    }

    /** The attention score of one frame (a copy). */
    public float[] frameScore(int frame) {
        if (attentionScore == null) throw new IllegalStateException("no attention score was requested");
        return Arrays.copyOfRange(attentionScore, frame * scoreLength, (frame + 1) * scoreLength);
    }

    /** The key metric of one frame, [keyTokens][keyDim] (a copy). */
    public float[] frameKeyMetric(int frame) {
        if (keyMetric == null) throw new IllegalStateException("no key metric was requested");
        int n = keyTokens * keyDim;
        return Arrays.copyOfRange(keyMetric, frame * n, (frame + 1) * n);
    }
}
