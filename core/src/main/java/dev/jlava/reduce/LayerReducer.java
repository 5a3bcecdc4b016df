package dev.jlava.reduce;

/**
 * Stage 2: acts between decoder layers during prefill (HoliTom inner merge, FastV, ST³ PVTP).
 *
 * <p>Decoder protocol, before running layer {@code l} (l ≥ 1) of the prefill: if
 * {@link #actsBefore(int) actsBefore(l)}, build a {@link LayerState} (layer l−1 must therefore
 * have produced its last-query attention row: ask {@link ReductionPlan#needsAttentionAfter(int)}),
 * call {@link #decide}, apply the {@link LayerDecision}. Several stages acting before the same
 * layer run in plan order, each on the result of the previous one. Decoding steps never call it.
 */
public interface LayerReducer {
    boolean actsBefore(int layer);

    /** Whether {@link LayerState#visualHidden()} must be filled. */
    default boolean needsHidden() {
        return false;
    }

    LayerDecision decide(LayerState state);

    /** Throws {@link PlanSyntaxException} when the stage names a layer the model does not have. */
    void validate(int numLayers);

    /** The stage in plan syntax. */
    String describe();
}
