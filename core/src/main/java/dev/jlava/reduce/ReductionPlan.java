package dev.jlava.reduce;

import dev.jlava.reduce.holitom.HoliTomInner;
import dev.jlava.reduce.holitom.HoliTomOuter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A reduction method as a configuration of stages: at most one {@link VisualReducer} (before the
 * decoder), any number of {@link LayerReducer}s (prefill, in order), at most one
 * {@link CacheReducer} (decoding). {@code holitom} = outer + inner merge; {@code st3} = PVTP + VTA.
 * Parse one with {@link ReductionPlanParser}.
 */
public final class ReductionPlan {
    public static final ReductionPlan NONE = new ReductionPlan(null, List.of(), null);

    private final VisualReducer outer;
    private final List<LayerReducer> layers;
    private final CacheReducer cache;

    public ReductionPlan(VisualReducer outer, List<LayerReducer> layers, CacheReducer cache) {
        this.outer = outer;
        this.layers = List.copyOf(layers);
        this.cache = cache;
    }

    public Optional<VisualReducer> outer() { return Optional.ofNullable(outer); }

    /** The outer stage, or {@link VisualReducer#NONE} (which only lays out newlines). */
    public VisualReducer outerOrNone() { return outer != null ? outer : VisualReducer.NONE; }

    public List<LayerReducer> layers() { return layers; }

    public Optional<CacheReducer> cache() { return Optional.ofNullable(cache); }

    public boolean isNone() { return outer == null && layers.isEmpty() && cache == null; }

    /** The layer stages acting before {@code layer}, in plan order. */
    public List<LayerReducer> stagesBefore(int layer) {
        List<LayerReducer> out = new ArrayList<>();
        for (LayerReducer r : layers) if (r.actsBefore(layer)) out.add(r);
        return out;
    }

    /** Whether layer {@code layer} must produce its last-query attention row (a stage acts before layer + 1). */
    public boolean needsAttentionAfter(int layer) {
        return !stagesBefore(layer + 1).isEmpty();
    }

    /** Whether the stages before {@code layer} need the visual hidden rows. */
    public boolean needsHiddenBefore(int layer) {
        for (LayerReducer r : stagesBefore(layer)) if (r.needsHidden()) return true;
        return false;
    }

    /** Throws {@link PlanSyntaxException} when a stage names a layer beyond the model's {@code numLayers}. */
    public ReductionPlan validate(int numLayers) {
        if (numLayers < 1) throw new IllegalArgumentException("a decoder has at least one layer, got " + numLayers);
        for (LayerReducer r : layers) r.validate(numLayers);
        if (cache != null) cache.validate(numLayers);
        return this;
    }

    /** The plan in parser syntax (round-trips through {@link ReductionPlanParser#parse}). */
    public String describe() {
        if (isNone()) return "none";
        List<String> parts = new ArrayList<>();
        List<LayerReducer> rest = new ArrayList<>(layers);
        if (outer instanceof HoliTomOuter h && !rest.isEmpty() && rest.get(0) instanceof HoliTomInner in) {
            // one holitom(...) stage: the outer parameters plus k and mr
            String o = h.describe();
            parts.add(o.substring(0, o.length() - 1) + "," + in.innerParameters() + ")");
            rest.remove(0);
        } else if (outer != null) {
            parts.add(outer.describe());
        }
        for (LayerReducer r : rest) parts.add(r.describe());
        if (cache != null) parts.add(cache.describe());
        return String.join("+", parts);
    }

    @Override
    public String toString() {
        return describe();
    }
}
