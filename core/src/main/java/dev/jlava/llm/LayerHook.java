package dev.jlava.llm;

/**
 * What the decoder offers token-reduction stages inside a forward pass, without knowing any
 * method: before layer {@code l} runs, the hook sees the hidden rows (with positions) and, if it
 * asked for it, the last query row's attention of layer {@code l - 1}; it may keep or merge rows.
 * Every later layer's cache then holds only what was kept.
 */
public interface LayerHook {
    /** Whether the decoder should record the last-query attention of {@code layer}. */
    default boolean wantsAttention(int layer) { return false; }

    /**
     * Called before layer {@code layer} (1..layers-1) runs, and with {@code layer == layers} after
     * the last one. {@code previous} is layer-1's last-query attention when requested, else null.
     */
    void beforeLayer(int layer, HiddenState state, AttentionRow previous);

    LayerHook NONE = (layer, state, previous) -> { };
}
