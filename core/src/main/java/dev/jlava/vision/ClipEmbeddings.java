package dev.jlava.vision;

/**
 * CLIP: the class embedding followed by the bias-free patch conv, plus position embeddings (row 0
 * for CLS), then {@code pre_layrnorm} (a real LayerNorm, whose output is hidden_states[0]).
 */
final class ClipEmbeddings implements Embeddings {
    private final PatchEmbedding patches;
    private final float[] cls, position, preNormWeight, preNormBias; // position: [1 + patches][hidden]
    private final int hidden;
    private final double eps;

    ClipEmbeddings(PatchEmbedding patches, float[] cls, float[] position, float[] preNormWeight, float[] preNormBias, VisionConfig c) {
        this.patches = patches;
        this.cls = cls;
        this.position = position;
        this.preNormWeight = preNormWeight;
        this.preNormBias = preNormBias;
        this.hidden = c.hidden();
        this.eps = c.layerNormEps();
    }

    @Override
    public void embed(float[] pixels, int first, int n, float[] x) {
        float[] p = patches.apply(pixels, first, n);
        int np = patches.patches(), tokens = np + 1;
        for (int f = 0; f < n; f++) {
            int o = f * tokens * hidden;
            for (int i = 0; i < hidden; i++) x[o + i] = cls[i] + position[i];
            int src = f * np * hidden;
            for (int i = 0; i < np * hidden; i++) x[o + hidden + i] = p[src + i] + position[hidden + i];
        }
        LayerNorm.apply(x, n * tokens, hidden, preNormWeight, preNormBias, eps, x);
    }
}
