package dev.jlava.reduce.fastv;

import dev.jlava.reduce.LayerDecision;
import dev.jlava.reduce.LayerReducer;
import dev.jlava.reduce.LayerState;
import dev.jlava.reduce.PlanSyntaxException;
import dev.jlava.reduce.TopK;

/**
 * FastV (baselines spec §2, the official in-place branch): layers 0..K−1 dense; before layer K,
 * keep the round(N_img·(1−R)) image tokens with the largest layer-(K−1) attention from the last
 * prompt token (head mean; ties: lower index) and every other row; the rest never reach layers ≥ K.
 * Kept rows keep their original positions.
 *
 * <p>N_img counts grid tokens only: a video's newline rows are not scored and always kept, like
 * text (golden llava-ov case d). Rounding is Python's half-to-even.
 */
public final class FastV implements LayerReducer {
    private final int k;
    private final double r;

    public FastV(int k, double r) {
        if (k < 1) throw new PlanSyntaxException("fastv K=" + k + ": the filtering layer must be >= 1 (it uses layer K-1's attention)");
        if (!(r >= 0 && r <= 1)) throw new PlanSyntaxException("fastv R=" + r + ": the removed fraction must be in [0, 1]");
        this.k = k;
        this.r = r;
    }

    public int layer() { return k; }

    public double ratio() { return r; }

    /** Image tokens kept of {@code nImg}: round(N_img·(1−R)), half to even. */
    public static int keepCount(int nImg, double r) {
        return (int) TopK.roundHalfEven(nImg * (1 - r));
    }

    @Override
    public boolean actsBefore(int layer) {
        return layer == k;
    }

    @Override
    public LayerDecision decide(LayerState s) {
        return keepTop(s, keepCount(s.gridSlots().length, r), "fastv");
    }

    /** Keeps all non-grid rows and the {@code keep} grid tokens with the largest last-query attention. */
    public static LayerDecision keepTop(LayerState s, int keep, String who) {
        float[] attn = s.requireAttention(who);
        int[] grid = s.gridSlots();
        float[] scores = new float[grid.length];
        for (int i = 0; i < grid.length; i++) scores[i] = attn[s.visualIndices()[grid[i]]];
        int[] top = TopK.largest(scores, Math.min(keep, grid.length));
        int nl = s.visualIndices().length - grid.length;
        int[] slots = new int[top.length + nl];
        int j = 0;
        for (int t : top) slots[j++] = grid[t];
        for (int i = 0; i < s.newline().length; i++) if (s.newline()[i]) slots[j++] = i;
        return LayerDecision.keepVisual(s, slots);
    }

    @Override
    public void validate(int numLayers) {
        if (k >= numLayers) throw new PlanSyntaxException("fastv K=" + k + " but the model has " + numLayers + " decoder layers (K must be 1.." + (numLayers - 1) + ")");
    }

    @Override
    public String describe() {
        return "fastv(K=" + k + ",R=" + r + ")";
    }
}
