package dev.jlava.reduce.holitom;

import dev.jlava.reduce.LayerDecision;
import dev.jlava.reduce.LayerReducer;
import dev.jlava.reduce.LayerState;
import dev.jlava.reduce.PlanSyntaxException;

/**
 * HoliTom's inner merge as a decoder stage: before layer k, merge the visual span (newline rows
 * included, as the official code counts them in the image length) with ratio r
 * ({@link HoliTomInnerMerge}). Text rows are never touched.
 */
public final class HoliTomInner implements LayerReducer {
    private final int layer;
    private final double ratio;
    private final boolean meanMerge;

    public HoliTomInner(int layer, double ratio) {
        this(layer, ratio, false);
    }

    /** @param meanMerge the order-free mean instead of the official sequential averaging */
    public HoliTomInner(int layer, double ratio, boolean meanMerge) {
        if (layer < 1) throw new PlanSyntaxException("holitom k=" + layer + ": the merge layer must be >= 1 (it uses layer k-1's attention)");
        if (!(ratio >= 0 && ratio < 1)) throw new PlanSyntaxException("holitom mr=" + ratio + ": the merged fraction must be in [0, 1)");
        this.layer = layer;
        this.ratio = ratio;
        this.meanMerge = meanMerge;
    }

    public int layer() { return layer; }

    public double ratio() { return ratio; }

    @Override
    public boolean actsBefore(int l) {
        return l == layer;
    }

    @Override
    public boolean needsHidden() {
        return true;
    }

    @Override
    public LayerDecision decide(LayerState s) {
        float[] attn = s.requireAttention("holitom inner merge");
        if (s.visualHidden() == null) throw new IllegalStateException("holitom inner merge needs the visual hidden rows");
        int[] vis = s.visualIndices();
        float[] spanAttn = new float[vis.length];
        for (int i = 0; i < vis.length; i++) spanAttn[i] = attn[vis[i]];
        HoliTomInnerMerge.Result m = HoliTomInnerMerge.merge(s.visualHidden(), spanAttn, ratio, meanMerge);
        LayerDecision kept = LayerDecision.keepVisual(s, m.kept());
        int changed = 0;
        for (boolean b : m.receivedMerge()) if (b) changed++;
        int[] replaced = new int[changed];
        float[][] rows = new float[changed][];
        for (int i = 0, j = 0; i < m.kept().length; i++) {
            if (!m.receivedMerge()[i]) continue;
            replaced[j] = vis[m.kept()[i]];
            rows[j++] = m.keptRows()[i];
        }
        return new LayerDecision(kept.keep(), replaced, rows);
    }

    @Override
    public void validate(int numLayers) {
        if (layer >= numLayers) {
            throw new PlanSyntaxException("holitom k=" + layer + " but the model has " + numLayers + " decoder layers (k must be 1.." + (numLayers - 1) + ")");
        }
    }

    /** {@code k=..,mr=..} as inside {@code holitom(...)}. */
    public String innerParameters() {
        return "k=" + layer + ",mr=" + ratio + (meanMerge ? ",merge=mean" : "");
    }

    /** Alone (without the outer stage): {@code holitom(outer=0,k=..,mr=..)}. */
    @Override
    public String describe() {
        return "holitom(outer=0," + innerParameters() + ")";
    }
}
