package dev.jlava.vision;

/** SigLIP: patch conv with bias plus a learned position embedding per patch; no CLS, no LayerNorm. */
final class SiglipEmbeddings implements Embeddings {
    private final PatchEmbedding patches;
    private final float[] position; // [patches][hidden]
    private final int hidden;

    SiglipEmbeddings(PatchEmbedding patches, float[] position, int hidden) {
        this.patches = patches;
        this.position = position;
        this.hidden = hidden;
    }

    @Override
    public void embed(float[] pixels, int first, int n, float[] x) {
        float[] p = patches.apply(pixels, first, n);
        int per = patches.patches() * hidden;
        for (int f = 0; f < n; f++) {
            int o = f * per;
            for (int i = 0; i < per; i++) x[o + i] = p[o + i] + position[i];
        }
    }
}
