package dev.jlava.llm;

/**
 * Softmax probabilities of the last query row of one layer, per head, over that layer's cache
 * entries (positions given). Computed inside the attention kernel; O(heads x length).
 */
public record AttentionRow(int layer, int heads, int length, float[] probs, int[] positions) {
    /** Probability of entry j, averaged over heads. */
    public float mean(int j) {
        double s = 0;
        for (int h = 0; h < heads; h++) s += probs[h * length + j];
        return (float) (s / heads);
    }

    public float[] meanOverHeads() {
        float[] m = new float[length];
        for (int j = 0; j < length; j++) m[j] = mean(j);
        return m;
    }

    public float prob(int head, int j) { return probs[head * length + j]; }
}
