package dev.jlava.reduce.holitom;

import dev.jlava.reduce.TokenKind;

/**
 * A window's static tokens (spec §9.1, official {@code merge_tokens_by_density}): round(S·r')
 * DPC-kNN clusters (k = min(K, clusters)), cluster-merged, one token per centre in ascending
 * centre position. Zero clusters means the window's static tokens vanish.
 */
public final class StaticTokenMerge {
    private StaticTokenMerge() {}

    /** The merge plus the clustering behind it (null when no cluster was formed). */
    public record Detail(Merged merged, DensityPeakClustering.Result clustering, ClusterMerge.Result merge) {}

    public static Detail reduce(float[][] feat, int[] pos, double ratio, ClusterMerge.Rule rule, int knn) {
        int c = TokenBudget.staticKeep(feat.length, ratio);
        if (c == 0) return new Detail(Merged.EMPTY, null, null);
        DensityPeakClustering.Result dpc = DensityPeakClustering.cluster(feat, c, Math.min(knn, c));
        ClusterMerge.Result m = ClusterMerge.merge(feat, dpc.centersSorted(), dpc.dist(), rule);
        int[] outPos = new int[c];
        TokenKind[] kinds = new TokenKind[c];
        for (int j = 0; j < c; j++) {
            outPos[j] = pos[dpc.centersSorted()[j]];
            kinds[j] = TokenKind.STATIC;
        }
        return new Detail(new Merged(m.tokens(), outPos, kinds, m.members()), dpc, m);
    }
}
