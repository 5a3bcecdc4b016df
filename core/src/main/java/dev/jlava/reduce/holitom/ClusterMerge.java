package dev.jlava.reduce.holitom;

/**
 * HoliTom's cluster merge (spec §8.2, the official {@code merge_tokens_by_clustering}): every
 * non-centre point joins its nearest centre (first centre on ties), and each centre becomes
 * β·x_centre + (1−β)·mean(members), or the plain mean of centre and members under
 * {@code NO_BETA}. A centre nobody joins stays as it is.
 */
public final class ClusterMerge {
    private ClusterMerge() {}

    /** How a centre and its members combine. */
    public record Rule(boolean plainMean, double beta) {
        public static Rule beta(double beta) {
            return new Rule(false, beta);
        }

        public static final Rule PLAIN_MEAN = new Rule(true, Double.NaN);
    }

    /**
     * @param tokens     one row per centre, in {@code centersSorted} order
     * @param nonCenters the other points, ascending
     * @param assign     for each of them, the index (into {@code centersSorted}) of its centre
     * @param members    per centre, the point indices it stands for (itself first, then its members ascending)
     */
    public record Result(float[][] tokens, int[] nonCenters, int[] assign, int[][] members) {}

    public static Result merge(float[][] x, int[] centersSorted, float[][] dist, Rule rule) {
        int n = x.length, c = centersSorted.length;
        boolean[] isCenter = new boolean[n];
        for (int m : centersSorted) isCenter[m] = true;
        int[] nonCenters = new int[n - c];
        int[] assign = new int[n - c];
        int[] counts = new int[c];
        for (int i = 0, u = 0; i < n; i++) {
            if (isCenter[i]) continue;
            int best = 0;
            for (int j = 1; j < c; j++) if (dist[i][centersSorted[j]] < dist[i][centersSorted[best]]) best = j;
            nonCenters[u] = i;
            assign[u++] = best;
            counts[best]++;
        }
        int[][] members = new int[c][];
        for (int j = 0; j < c; j++) {
            members[j] = new int[counts[j] + 1];
            members[j][0] = centersSorted[j];
        }
        int[] fill = new int[c];
        java.util.Arrays.fill(fill, 1);
        for (int u = 0; u < nonCenters.length; u++) members[assign[u]][fill[assign[u]]++] = nonCenters[u];

        int dim = n == 0 ? 0 : x[0].length;
        float[][] tokens = new float[c][];
        double[] acc = new double[dim];
        for (int j = 0; j < c; j++) {
            float[] centre = x[centersSorted[j]];
            if (counts[j] == 0) {
                tokens[j] = centre.clone();
                continue;
            }
            java.util.Arrays.fill(acc, 0);
            for (int q = 1; q < members[j].length; q++) {
                float[] v = x[members[j][q]];
                for (int k = 0; k < dim; k++) acc[k] += v[k];
            }
            float[] out = new float[dim];
            if (rule.plainMean()) {
                for (int k = 0; k < dim; k++) out[k] = (float) ((acc[k] + centre[k]) / (counts[j] + 1));
            } else {
                double b = rule.beta();
                for (int k = 0; k < dim; k++) out[k] = (float) (b * centre[k] + (1 - b) * (acc[k] / counts[j]));
            }
            tokens[j] = out;
        }
        return new Result(tokens, nonCenters, assign, members);
    }
}
