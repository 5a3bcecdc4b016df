package dev.jlava.reduce.holitom;

import dev.jlava.reduce.TopK;
import java.util.Arrays;

/**
 * DPC-kNN, density-peak clustering with a k-nearest-neighbour density (HoliTom spec §8.1,
 * the official {@code cluster_dpc_knn}):
 *
 * <ol>
 *   <li>d_ij = ‖x_i − x_j‖₂ / √C, computed directly (the official {@code cdist} uses the
 *       ‖a‖²+‖b‖²−2ab form above 25 rows, which is off by up to 1e-3; the goldens show the
 *       decisions follow the exact distances);</li>
 *   <li>ρ_i = exp(−mean of the k smallest d_ij²), the point itself (d_ii = 0) included;</li>
 *   <li>δ_i = min(D_max, min over j with ρ_j &gt; ρ_i (strict) of d_ij);</li>
 *   <li>γ_i = δ_i·ρ_i; the centres are the c largest γ (ties: lower index).</li>
 * </ol>
 * The official code adds U[0,1)·1e−6 noise to ρ to break ties; here noise is optional and
 * supplied by the caller (none by default, so exact ties follow the strict comparison).
 */
public final class DensityPeakClustering {
    private DensityPeakClustering() {}

    /**
     * @param centersByScore the centres in descending γ (the official return order)
     * @param centersSorted  the same, ascending (what every caller uses)
     * @param parent         for each point, the argmin behind δ (first index on ties)
     */
    public record Result(int[] centersByScore, int[] centersSorted, float[][] dist, float[] density, float[] delta,
                         float[] score, int[] parent) {}

    /** Clusters {@code x} [L][C] into {@code c} centres with kNN size {@code k}, no noise. */
    public static Result cluster(float[][] x, int c, int k) {
        return cluster(x, c, k, null);
    }

    /**
     * @param noise null, or the raw uniform draw per point; ρ_i += noise_i·1e−6 as the official code does
     */
    public static Result cluster(float[][] x, int c, int k, float[] noise) {
        int n = x.length;
        if (c < 0 || c > n) throw new IllegalArgumentException(c + " clusters of " + n + " points");
        if (k < 1 || k > n) throw new IllegalArgumentException("kNN size " + k + " for " + n + " points");
        float[][] d = distances(x);
        float[] density = new float[n];
        double[] sq = new double[n];
        for (int i = 0; i < n; i++) {
            float[] row = d[i].clone();
            Arrays.sort(row);
            double s = 0;
            for (int j = 0; j < k; j++) s += (double) row[j] * row[j];
            density[i] = (float) Math.exp(-s / k);
            if (noise != null) density[i] = density[i] + (float) (noise[i] * 1e-6f);
        }
        float dmax = 0;
        for (float[] row : d) for (float v : row) dmax = Math.max(dmax, v);
        float[] delta = new float[n];
        float[] score = new float[n];
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            float best = Float.POSITIVE_INFINITY;
            int arg = 0;
            for (int j = 0; j < n; j++) {
                float v = density[j] > density[i] ? d[i][j] : dmax;
                if (v < best) {
                    best = v;
                    arg = j;
                }
            }
            delta[i] = best;
            parent[i] = arg;
            score[i] = best * density[i];
        }
        int[] byScore = TopK.largest(score, c);
        int[] sorted = byScore.clone();
        Arrays.sort(sorted);
        return new Result(byScore, sorted, d, density, delta, score, parent);
    }

    /** d_ij = ‖x_i − x_j‖₂ / √C, exact and symmetric, 0 on the diagonal. */
    public static float[][] distances(float[][] x) {
        int n = x.length;
        float[][] d = new float[n][n];
        if (n == 0) return d;
        double scale = Math.sqrt(x[0].length);
        for (int i = 0; i < n; i++) {
            float[] a = x[i];
            for (int j = i + 1; j < n; j++) {
                float[] b = x[j];
                double s = 0;
                for (int q = 0; q < a.length; q++) {
                    double t = (double) a[q] - b[q];
                    s += t * t;
                }
                float v = (float) (Math.sqrt(s) / scale);
                d[i][j] = v;
                d[j][i] = v;
            }
        }
        return d;
    }
}
