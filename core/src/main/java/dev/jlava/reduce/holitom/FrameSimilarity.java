package dev.jlava.reduce.holitom;

/**
 * HoliTom spec §4: the cosine similarity of the same grid position in consecutive frames,
 * computed as the official code does: L2-normalise each token (norm clamped at 1e-12), then
 * PyTorch's {@code cosine_similarity} (which normalises again, with ‖a‖·‖b‖ clamped at 1e-16).
 */
public final class FrameSimilarity {
    private FrameSimilarity() {}

    /** [F][N][C] pooled features → [F−1][N] similarities between frames t and t+1. */
    public static float[][] compute(float[][][] x) {
        int frames = x.length;
        if (frames == 0) return new float[0][];
        int n = x[0].length;
        float[][][] u = new float[frames][][];
        for (int t = 0; t < frames; t++) {
            if (x[t].length != n) throw new IllegalArgumentException("frame " + t + " has " + x[t].length + " tokens, frame 0 has " + n);
            u[t] = new float[n][];
            for (int p = 0; p < n; p++) u[t][p] = normalize(x[t][p]);
        }
        float[][] sim = new float[Math.max(0, frames - 1)][n];
        for (int t = 0; t + 1 < frames; t++) {
            for (int p = 0; p < n; p++) sim[t][p] = cosine(u[t][p], u[t + 1][p]);
        }
        return sim;
    }

    static float[] normalize(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        double norm = Math.max(Math.sqrt(s), 1e-12);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / norm);
        return out;
    }

    static float cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return (float) (ab / Math.sqrt(Math.max(aa * bb, 1e-16)));
    }
}
