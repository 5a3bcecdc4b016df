package dev.jlava.vision;

import java.util.Arrays;

/**
 * Collects, while the deepest layer runs, what a {@link VisionRequest} asked for: an attention
 * statistic per frame (accumulated in double over heads and queries) and the head-averaged keys.
 */
final class AttentionTap {
    private final AttentionScore score;
    private final int tokens, heads, headDim, firstPatch;
    private final float[] scores; // [frames][scoreLength] or null
    private final float[] keys;   // [frames][tokens][headDim] or null
    private final double[] acc;

    AttentionTap(AttentionScore score, boolean keyMetric, int frames, VisionConfig c) {
        this.score = score;
        this.tokens = c.tokens();
        this.heads = c.heads();
        this.headDim = c.headDim();
        this.firstPatch = c.hasCls() ? 1 : 0;
        this.scores = score == AttentionScore.NONE ? null : new float[frames * scoreLength(score, c)];
        this.keys = keyMetric ? new float[frames * c.patches() * headDim] : null;
        this.acc = new double[tokens];
    }

    static int scoreLength(AttentionScore s, VisionConfig c) {
        return switch (s) {
            case NONE -> 0;
            case RECEIVED_MEAN -> c.tokens();
            case CLS_HEAD_SUM -> c.patches();
        };
    }

    float[] scores() { return scores; }

    float[] keys() { return keys; }

    boolean wantsProbabilities() { return score != AttentionScore.NONE; }

    void beginFrame() {
        Arrays.fill(acc, 0);
    }

    /** One head's probabilities [tokens][tokens] (rows = queries) of the current frame. */
    void probabilities(float[] p) {
        int t = tokens;
        switch (score) {
            case RECEIVED_MEAN -> {
                for (int i = 0; i < t; i++) {
                    int o = i * t;
                    for (int j = 0; j < t; j++) acc[j] += p[o + j];
                }
            }
            case CLS_HEAD_SUM -> {
                for (int j = 1; j < t; j++) acc[j] += p[j];
            }
            case NONE -> { }
        }
    }

    void endFrame(int frame) {
        switch (score) {
            case RECEIVED_MEAN -> {
                double norm = 1.0 / ((double) heads * tokens);
                for (int j = 0; j < tokens; j++) scores[frame * tokens + j] = (float) (acc[j] * norm);
            }
            case CLS_HEAD_SUM -> {
                int np = tokens - 1;
                for (int j = 0; j < np; j++) scores[frame * np + j] = (float) acc[j + 1];
            }
            case NONE -> { }
        }
    }

    /** The layer's keys [tokens][hidden] (bias added) of one frame, starting at {@code off} in k; CLS is skipped. */
    void keys(int frame, float[] k, int off) {
        if (keys == null) return;
        int d = heads * headDim, patches = tokens - firstPatch;
        for (int t = firstPatch; t < tokens; t++) {
            int dst = (frame * patches + t - firstPatch) * headDim;
            for (int e = 0; e < headDim; e++) {
                double s = 0;
                for (int h = 0; h < heads; h++) s += k[off + t * d + h * headDim + e];
                keys[dst + e] = (float) (s / heads);
            }
        }
    }
}
