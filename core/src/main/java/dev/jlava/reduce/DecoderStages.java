package dev.jlava.reduce;

import dev.jlava.llm.AttentionRow;
import dev.jlava.llm.CacheHook;
import dev.jlava.llm.Decoder;
import dev.jlava.llm.Generation;
import dev.jlava.llm.HiddenState;
import dev.jlava.llm.KvCache;
import dev.jlava.llm.LayerHook;
import java.util.Arrays;
import java.util.List;

/**
 * Connects a {@link ReductionPlan}'s in-decoder stages to the decoder's generic hooks for one
 * prompt: {@link LayerReducer}s become a {@link LayerHook} for prefill, the {@link CacheReducer}
 * a {@link CacheHook} for every decode step. Rows and cache entries are recognised as visual by
 * their RoPE position, which never changes when rows are pruned or merged.
 */
public final class DecoderStages {
    private final ReductionPlan plan;
    private final int[] visualPositions;  // ascending
    private final boolean[] newline;      // parallel
    private final int originalGrid;
    private final int layers;
    private int[] visualAfterPrefill;
    /** Per layer: rows kept by the prefill stages (for the cost report). */
    private final int[] rowsPerLayer;

    /**
     * @param visualPositions positions of the visual rows in the prompt (ascending)
     * @param newline         which of them are image_newline rows (never scored, never evicted)
     */
    public DecoderStages(ReductionPlan plan, int layers, int[] visualPositions, boolean[] newline) {
        if (visualPositions.length != newline.length) throw new IllegalArgumentException("positions and newline flags differ in length");
        this.plan = plan.validate(layers);
        this.layers = layers;
        this.visualPositions = visualPositions.clone();
        this.newline = newline.clone();
        int g = 0;
        for (boolean b : newline) if (!b) g++;
        this.originalGrid = g;
        this.rowsPerLayer = new int[layers];
        plan.cache().ifPresent(CacheReducer::reset);
    }

    /** Rows each layer processed during the last prefill (after the stages acting before it). */
    public int[] rowsPerLayer() { return rowsPerLayer.clone(); }

    private int slotOf(int position) {
        return Arrays.binarySearch(visualPositions, position);
    }

    /** The hook for the prompt's forward pass. */
    public LayerHook prefillHook() {
        return new LayerHook() {
            @Override
            public boolean wantsAttention(int layer) {
                return plan.needsAttentionAfter(layer);
            }

            @Override
            public void beforeLayer(int layer, HiddenState st, AttentionRow previous) {
                if (layer == 1) rowsPerLayer[0] = st.rows();
                List<LayerReducer> stages = layer < layers ? plan.stagesBefore(layer) : List.of();
                float[] attn = previous == null ? null : previous.meanOverHeads();
                if (attn != null && attn.length != st.rows()) {
                    // the cache of layer-1 holds earlier entries too (a reused prefix): keep the rows' own tail
                    attn = Arrays.copyOfRange(attn, attn.length - st.rows(), attn.length);
                }
                for (LayerReducer stage : stages) {
                    int n = st.rows();
                    int[] pos = st.positions();
                    int count = 0;
                    for (int p : pos) if (slotOf(p) >= 0) count++;
                    int[] vis = new int[count];
                    boolean[] nl = new boolean[count];
                    for (int i = 0, j = 0; i < n; i++) {
                        int s = slotOf(pos[i]);
                        if (s >= 0) { vis[j] = i; nl[j++] = newline[s]; }
                    }
                    float[][] hidden = null;
                    if (stage.needsHidden()) {
                        hidden = new float[count][];
                        for (int j = 0; j < count; j++) hidden[j] = st.row(vis[j]);
                    }
                    LayerDecision d = stage.decide(new LayerState(layer, n, vis, nl, hidden, attn, originalGrid));
                    if (d.keepsAll(n)) continue;
                    for (int r = 0; r < d.replaced().length; r++) st.setRow(d.replaced()[r], d.replacementRows()[r]);
                    st.retain(d.keep());
                    if (attn != null) {
                        float[] a2 = new float[d.keep().length];
                        for (int i = 0; i < a2.length; i++) a2[i] = attn[d.keep()[i]];
                        attn = a2;
                    }
                }
                if (layer < layers) rowsPerLayer[layer] = st.rows();
            }
        };
    }

    /** Called once prefill ended: records N_l, the visual entries each layer's cache holds. */
    public void prefillDone(KvCache cache) {
        visualAfterPrefill = new int[layers];
        for (int l = 0; l < layers; l++) visualAfterPrefill[l] = visualEntries(cache.layer(l)).length;
    }

    private int[] visualEntries(KvCache.Layer kv) {
        int c = 0;
        int[] idx = new int[kv.length()];
        for (int i = 0; i < kv.length(); i++) {
            int s = slotOf(kv.position(i));
            if (s >= 0 && !newline[s]) idx[c++] = i;
        }
        return Arrays.copyOf(idx, c);
    }

    /** The per-step decode options: stage 3 eviction when the plan has one. */
    public Generation.DecodeHook decodeHook(Generation.DecodeHook inner) {
        CacheReducer cr = plan.cache().orElse(null);
        return new Generation.DecodeHook() {
            @Override
            public Decoder.Options optionsForStep(int step) {
                Decoder.Options base = inner.optionsForStep(step);
                if (cr == null) return base;
                return base.withCacheHook(new CacheHook() {
                    @Override
                    public boolean active(int layer) {
                        return true;
                    }

                    @Override
                    public int[] evict(int layer, KvCache.Layer kv, float[] probs) {
                        int[] vis = visualEntries(kv);
                        int nL = visualAfterPrefill[layer];
                        if (!cr.needsScores(layer, step, nL, vis.length)) return new int[0];
                        int[] ids = new int[vis.length];
                        float[] scores = new float[vis.length];
                        for (int j = 0; j < vis.length; j++) {
                            ids[j] = kv.position(vis[j]);
                            scores[j] = probs[vis[j]];
                        }
                        int[] ev = cr.evict(new CacheState(layer, step, nL, ids, scores));
                        int[] out = new int[ev.length];
                        for (int j = 0; j < ev.length; j++) out[j] = vis[ev[j]];
                        Arrays.sort(out);
                        return out;
                    }
                });
            }

            @Override
            public void afterStep(int step, KvCache cache) {
                if (step == 0) prefillDone(cache);
                inner.afterStep(step, cache);
            }
        };
    }
}
