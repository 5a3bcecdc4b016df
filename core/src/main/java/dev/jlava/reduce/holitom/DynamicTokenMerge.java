package dev.jlava.reduce.holitom;

import dev.jlava.reduce.TokenKind;
import dev.jlava.reduce.TopK;
import java.util.Arrays;

/**
 * One frame's dynamic tokens (spec §7, official {@code merge_tokens_by_attention_density}):
 * keep n_keep = ceil(L·r'), of which n_dom = round(n_keep·(1−D)) are the highest-attention
 * tokens (output in ascending position order); the other n_ctx = n_keep − n_dom are DPC-kNN
 * cluster merges of the remaining tokens (output in ascending centre position).
 *
 * <p>With D &gt; 0 the official code crashes (spec §14.2: {@code pos.masked_select} broadcasts);
 * this implements the evident intent, {@code pos[mask]}, which the {@code _patched} goldens use.
 */
public final class DynamicTokenMerge {
    private DynamicTokenMerge() {}

    /**
     * @param dominantByAttention indices into the frame's tokens, descending attention (the official topk order)
     * @param remaining           the non-dominant indices, ascending (the list DPC runs on)
     * @param clustering          null unless contextual tokens were formed
     */
    public record Detail(Merged merged, int[] dominantByAttention, int[] remaining,
                         DensityPeakClustering.Result clustering, ClusterMerge.Result merge) {}

    public static Detail reduce(float[][] feat, float[] attn, int[] pos, double ratio, double d, ClusterMerge.Rule rule, int knn) {
        int l = feat.length;
        int nKeep = TokenBudget.dynamicKeep(l, ratio);
        int nDom = TokenBudget.dominant(nKeep, d);
        int nCtx = nKeep - nDom;
        int[] dom = TopK.largest(attn, nDom);
        int[] domSorted = dom.clone();
        Arrays.sort(domSorted);
        boolean[] isDom = new boolean[l];
        for (int i : dom) isDom[i] = true;
        int[] remaining = new int[l - nDom];
        for (int i = 0, r = 0; i < l; i++) if (!isDom[i]) remaining[r++] = i;

        float[][] tokens = new float[nKeep][];
        int[] outPos = new int[nKeep];
        TokenKind[] kinds = new TokenKind[nKeep];
        int[][] members = new int[nKeep][];
        for (int j = 0; j < nDom; j++) {
            tokens[j] = feat[domSorted[j]];
            outPos[j] = pos[domSorted[j]];
            kinds[j] = TokenKind.DOMINANT;
            members[j] = new int[] {domSorted[j]};
        }
        DensityPeakClustering.Result dpc = null;
        ClusterMerge.Result m = null;
        if (nCtx > 0) {
            float[][] filtered = new float[remaining.length][];
            for (int i = 0; i < remaining.length; i++) filtered[i] = feat[remaining[i]];
            dpc = DensityPeakClustering.cluster(filtered, nCtx, Math.min(knn, nCtx));
            m = ClusterMerge.merge(filtered, dpc.centersSorted(), dpc.dist(), rule);
            for (int j = 0; j < nCtx; j++) {
                tokens[nDom + j] = m.tokens()[j];
                outPos[nDom + j] = pos[remaining[dpc.centersSorted()[j]]];
                kinds[nDom + j] = TokenKind.CONTEXTUAL;
                int[] mem = m.members()[j];
                members[nDom + j] = new int[mem.length];
                for (int q = 0; q < mem.length; q++) members[nDom + j][q] = remaining[mem[q]];
            }
        }
        return new Detail(new Merged(tokens, outPos, kinds, members), dom, remaining, dpc, m);
    }
}
