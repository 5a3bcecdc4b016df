package dev.jlava.reduce.holitom;

/**
 * The outer stage's hyperparameters (HoliTom spec §11; official env var in brackets).
 *
 * @param retainRatio r [RETAIN_RATIO], the target share of visual tokens, 0 &lt; r ≤ 1
 * @param tau         τ [T], the static threshold on frame similarity
 * @param beta        β [BETA] of the cluster merge
 * @param d           D [D], the contextual share of each frame's kept dynamic tokens (0 = attention only)
 * @param knn         K [K], the kNN size of DPC-kNN (k = min(K, clusters))
 * @param maxWindow   M [MAX_WINDOW_SIZE], the longest temporal window
 * @param plainMean   [NO_BETA] merge clusters by a plain mean instead of β
 */
public record HoliTomConfig(double retainRatio, double tau, double beta, double d, int knn, int maxWindow, boolean plainMean) {
    /** The official evaluation scripts' setting for LLaVA-OV-7B / LLaVA-Video-7B (r 0.15, τ 0.8) with the code defaults. */
    public static final HoliTomConfig DEFAULTS = new HoliTomConfig(0.15, 0.80, 0.6, 0.0, 7, 1024, false);

    public HoliTomConfig {
        if (!(retainRatio > 0 && retainRatio <= 1)) throw new IllegalArgumentException("HoliTom r = " + retainRatio + " must be in (0, 1]");
        if (!(tau >= -1 && tau <= 1)) throw new IllegalArgumentException("HoliTom tau = " + tau + " must be in [-1, 1]");
        if (!(beta >= 0 && beta <= 1)) throw new IllegalArgumentException("HoliTom beta = " + beta + " must be in [0, 1]");
        if (!(d >= 0 && d <= 1)) throw new IllegalArgumentException("HoliTom d = " + d + " must be in [0, 1]");
        if (knn < 1) throw new IllegalArgumentException("HoliTom knn = " + knn + " must be >= 1");
        if (maxWindow < 1) throw new IllegalArgumentException("HoliTom max window = " + maxWindow + " must be >= 1");
    }

    public ClusterMerge.Rule mergeRule() {
        return plainMean ? ClusterMerge.Rule.PLAIN_MEAN : ClusterMerge.Rule.beta(beta);
    }

    public HoliTomConfig withRetainRatio(double r) {
        return new HoliTomConfig(r, tau, beta, d, knn, maxWindow, plainMean);
    }

    public HoliTomConfig withTau(double t) {
        return new HoliTomConfig(retainRatio, t, beta, d, knn, maxWindow, plainMean);
    }
}
