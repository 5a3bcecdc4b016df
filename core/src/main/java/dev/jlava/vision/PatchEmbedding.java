package dev.jlava.vision;

import dev.jlava.kernel.Linear;

/**
 * The patch conv of a ViT (kernel = stride = patch, no padding) as one GEMM: each patch is
 * flattened in the kernel's (channel, ky, kx) order, so {@code weight.reshape(D, C*p*p)} multiplies it.
 * Patches are numbered row-major (token = row * grid + col), as {@code flatten(2)} orders them.
 */
final class PatchEmbedding {
    private final Linear weight;
    private final float[] bias; // null: CLIP's conv has none
    private final int channels, image, patch, grid, hidden;

    PatchEmbedding(Linear weight, float[] bias, VisionConfig c) {
        this.weight = weight;
        this.bias = bias;
        this.channels = c.channels();
        this.image = c.imageSize();
        this.patch = c.patchSize();
        this.grid = c.grid();
        this.hidden = c.hidden();
    }

    int patches() { return grid * grid; }

    /** [n][patches][hidden] for the n frames starting at frame {@code first} of pixels [F][C][image][image]. */
    float[] apply(float[] pixels, int first, int n) {
        int k = channels * patch * patch, frameSize = channels * image * image, np = patches();
        float[] flat = new float[n * np * k];
        for (int f = 0; f < n; f++) {
            int src = (first + f) * frameSize;
            for (int py = 0; py < grid; py++) {
                for (int px = 0; px < grid; px++) {
                    int dst = ((f * np) + py * grid + px) * k;
                    for (int c = 0; c < channels; c++) {
                        for (int ky = 0; ky < patch; ky++) {
                            int row = src + (c * image + py * patch + ky) * image + px * patch;
                            System.arraycopy(pixels, row, flat, dst + (c * patch + ky) * patch, patch);
                        }
                    }
                }
            }
        }
        float[] out = new float[n * np * hidden];
        weight.forward(flat, n * np, out);
        if (bias != null) Rows.addBias(out, n * np, hidden, bias);
        return out;
    }
}
