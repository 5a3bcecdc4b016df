package dev.jlava.reduce.visionzip;

import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.Newlines;
import dev.jlava.reduce.PlanSyntaxException;
import dev.jlava.reduce.TokenKind;
import dev.jlava.reduce.TokenOrigin;
import dev.jlava.reduce.TopK;
import dev.jlava.reduce.VisionSignal;
import dev.jlava.reduce.VisionSignals;
import dev.jlava.reduce.VisualContext;
import dev.jlava.reduce.VisualReducer;
import dev.jlava.reduce.VisualTokens;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;

/**
 * VisionZip (baselines spec §3; HoliTom spec §12 for the SigLIP port), text-agnostic, before the
 * decoder. Per image (CLIP) or per frame (SigLIP):
 *
 * <ol>
 *   <li><b>Dominant</b>: the tokens with the largest vision-tower score ({@link VisionSignal#TOKEN_SCORES}),
 *       kept in position order. CLIP: the CLS token counts as one of {@code dominant} and comes first,
 *       so the top {@code dominant − 1} patches by the CLS attention (head sum) join it.</li>
 *   <li><b>Contextual</b>: of the M remaining tokens (position order), targets at slots 0, step,
 *       2·step, … (first {@code contextual}), step = max(1, M // contextual). Every other remaining
 *       token joins the target whose L2-normalised key metric is most similar (first on ties).
 *       A contextual token is target <b>+</b> mean(assigned) (not a joint mean), located at the target.</li>
 *   <li>Order: [dominant; contextual]; with grid newlines (SigLIP port) all sorted by position and
 *       a newline after every row, empty rows too; one_token: one newline at the very end.</li>
 * </ol>
 */
public final class VisionZip implements VisualReducer {
    /** SigLIP port's default dominant share (env DOMINANT_RATIO). */
    public static final double DEFAULT_DOMINANT_SHARE = 54.0 / 64;

    private final int dominant;
    private final int contextual;

    /** @param dominant tokens kept by score (CLIP: CLS included), @param contextual merged tokens; per image or per frame */
    public VisionZip(int dominant, int contextual) {
        if (dominant < 0 || contextual < 0 || dominant + contextual < 1) {
            throw new PlanSyntaxException("visionzip dominant=" + dominant + ", contextual=" + contextual + ": both must be >= 0 and not both 0");
        }
        this.dominant = dominant;
        this.contextual = contextual;
    }

    /** The SigLIP port's {@code SPATIAL_TOKENS} form: dominant = int(spatial·54/64), contextual = the rest. */
    public static VisionZip ofSpatial(int spatialTokens) {
        int d = (int) (spatialTokens * DEFAULT_DOMINANT_SHARE);
        return new VisionZip(d, spatialTokens - d);
    }

    public int dominant() { return dominant; }

    public int contextual() { return contextual; }

    @Override
    public Set<VisionSignal> signals() {
        return Set.of(VisionSignal.TOKEN_SCORES, VisionSignal.KEY_METRIC);
    }

    @Override
    public boolean beforeProjector(boolean towerHasCls) {
        return towerHasCls;
    }

    @Override
    public VisualTokens reduce(VisualTokens in, VisualContext ctx) {
        float[][] scores = ctx.signals().requireTokenScores("visionzip");
        float[][][] metric = ctx.signals().requireKeyMetric("visionzip");
        boolean hasCls = in.size() > 0 && in.origin(0).kind() == TokenKind.CLS;
        int n = in.tokensPerFrame(), offset = hasCls ? 1 : 0;
        if (in.size() != offset + in.frames() * n) {
            throw new IllegalArgumentException("visionzip expects " + (hasCls ? "CLS + " : "") + in.frames() + "x" + n + " grid tokens without newlines, got " + in.size());
        }
        if (hasCls && in.frames() != 1) throw new IllegalArgumentException("visionzip with a CLS token expects one image, got " + in.frames() + " frames");
        VisualTokens.Builder b = new VisualTokens.Builder(in.frames(), in.grid());
        for (int f = 0; f < in.frames(); f++) {
            float[][] x = new float[n][];
            for (int p = 0; p < n; p++) x[p] = in.row(offset + f * n + p);
            int dom = hasCls ? dominant - 1 : dominant;
            Frame r = reduceFrame(x, scores[f], metric[f], Math.max(0, dom), contextual);
            int total = r.dominant.length + r.contextual.length;
            float[][] rows = new float[total][];
            TokenOrigin[] origins = new TokenOrigin[total];
            for (int i = 0; i < r.dominant.length; i++) {
                rows[i] = x[r.dominant[i]];
                origins[i] = TokenOrigin.kept(f, r.dominant[i], in.grid(), null);
            }
            for (int c = 0; c < r.contextual.length; c++) {
                final int base = f * n;
                int[] ids = Arrays.stream(r.members[c]).map(p -> base + p).sorted().toArray();
                rows[r.dominant.length + c] = r.contextual[c];
                origins[r.dominant.length + c] = TokenOrigin.of(TokenKind.CONTEXTUAL, f, r.targets[c], in.grid(), null, ids);
            }
            // with no contextual slot the non-dominant tokens are simply gone
            boolean[] used = new boolean[n];
            for (int d : r.dominant) used[d] = true;
            for (int[] mem : r.members) for (int q : mem) used[q] = true;
            for (int p = 0; p < n; p++) if (!used[p]) b.drop(f * n + p);
            if (hasCls) b.add(in.row(0), in.origin(0));
            if (ctx.newlineMode() == NewlineMode.GRID && !hasCls) {
                Integer[] order = new Integer[total];
                for (int i = 0; i < total; i++) order[i] = i;
                Arrays.sort(order, Comparator.comparingInt(i -> origins[i].pos()));
                float[][] sr = new float[total][];
                TokenOrigin[] so = new TokenOrigin[total];
                for (int i = 0; i < total; i++) {
                    sr[i] = rows[order[i]];
                    so[i] = origins[order[i]];
                }
                Newlines.emitGridFrame(b, sr, so, f, in.grid(), ctx.imageNewline(), null, true);
            } else {
                for (int i = 0; i < total; i++) b.add(rows[i], origins[i]);
            }
        }
        if (ctx.newlineMode() == NewlineMode.ONE_TOKEN && !hasCls) b.add(ctx.imageNewline(), TokenOrigin.trailingNewline());
        return b.build();
    }

    /**
     * One frame's result: dominant positions ascending; contextual rows with their target positions
     * and members (target first, then the assigned positions ascending).
     */
    public record Frame(int[] dominant, int[] targets, float[][] contextual, int[][] members, int[] remaining, int[] assignedSlot) {}

    /**
     * @param x      [N][C] the frame's tokens (CLIP: the patches, without CLS)
     * @param score  [N]
     * @param metric [N][dk]
     */
    public static Frame reduceFrame(float[][] x, float[] score, float[][] metric, int nDom, int nCtx) {
        int n = x.length;
        if (score.length != n || metric.length != n) throw new IllegalArgumentException(n + " tokens, " + score.length + " scores, " + metric.length + " metric rows");
        nDom = Math.min(nDom, n);
        int[] dom = TopK.largestSorted(score, nDom);
        boolean[] isDom = new boolean[n];
        for (int d : dom) isDom[d] = true;
        int m = n - nDom;
        int[] remaining = new int[m];
        for (int i = 0, j = 0; i < n; i++) if (!isDom[i]) remaining[j++] = i;
        return contextual(x, metric, dom, remaining, nCtx);
    }

    /** Step 2 on a given dominant set: targets by stride over {@code remaining}, assignment by key cosine, target + mean. */
    public static Frame contextual(float[][] x, float[][] metric, int[] dom, int[] remaining, int nCtx) {
        int m = remaining.length;
        int c = Math.min(nCtx, m);
        if (c == 0) return new Frame(dom, new int[0], new float[0][], new int[0][], remaining, new int[0]);
        int step = Math.max(1, m / nCtx);
        int[] targetSlots = new int[c];
        boolean[] isTarget = new boolean[m];
        for (int i = 0; i < c; i++) {
            targetSlots[i] = i * step;
            isTarget[i * step] = true;
        }
        float[][] unit = new float[m][];
        for (int i = 0; i < m; i++) unit[i] = normalize(metric[remaining[i]]);
        int[] assigned = new int[m];
        Arrays.fill(assigned, -1);
        int[] counts = new int[c];
        for (int i = 0; i < m; i++) {
            if (isTarget[i]) continue;
            int best = 0;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < c; t++) {
                double s = dot(unit[i], unit[targetSlots[t]]);
                if (s > bestSim) {
                    bestSim = s;
                    best = t;
                }
            }
            assigned[i] = best;
            counts[best]++;
        }
        int dim = x[0].length;
        float[][] out = new float[c][];
        int[][] members = new int[c][];
        int[] targets = new int[c];
        for (int t = 0; t < c; t++) {
            double[] acc = new double[dim];
            members[t] = new int[counts[t] + 1];
            members[t][0] = remaining[targetSlots[t]];
            targets[t] = remaining[targetSlots[t]];
            int q = 1;
            for (int i = 0; i < m; i++) {
                if (assigned[i] != t) continue;
                members[t][q++] = remaining[i];
                float[] v = x[remaining[i]];
                for (int k = 0; k < dim; k++) acc[k] += v[k];
            }
            float[] tgt = x[targets[t]];
            out[t] = new float[dim];
            int cnt = Math.max(1, counts[t]);
            for (int k = 0; k < dim; k++) out[t][k] = (float) (tgt[k] + acc[k] / cnt);
        }
        return new Frame(dom, targets, out, members, remaining, assigned);
    }

    private static float[] normalize(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        double norm = Math.sqrt(s);
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) (v[i] / norm);
        return o;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    @Override
    public String describe() {
        return "visionzip(dominant=" + dominant + ",contextual=" + contextual + ")";
    }

    /** Convenience for callers holding the CLIP outputs: [CLS; patches], CLS-attention head sums, patch key metric. */
    public VisualTokens reduceClip(float[] cls, float[][] patches, int grid, float[] clsAttentionHeadSum, float[][] patchKeyMetric) {
        return reduce(VisualTokens.ofImageWithCls(cls, patches, grid),
                new VisualContext(new VisionSignals(new float[][] {clsAttentionHeadSum}, new float[][][] {patchKeyMetric}), null, NewlineMode.NO_TOKEN));
    }
}
