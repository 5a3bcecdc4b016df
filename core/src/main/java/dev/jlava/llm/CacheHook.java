package dev.jlava.llm;

/**
 * What the decoder offers cache-eviction stages while decoding one token: in each layer, after the
 * new token's key/value joined the cache and before this step's attention, the hook sees the new
 * token's attention probabilities over every entry (averaged over query heads) and may evict
 * entries, which are then gone for good (this step's attention already runs without them).
 */
public interface CacheHook {
    boolean active(int layer);

    /**
     * @param probs mean over query heads of the new token's softmax over all {@code kv.length()} entries
     * @return indices of entries to evict, ascending (never the new token's own entry)
     */
    int[] evict(int layer, KvCache.Layer kv, float[] probs);

    CacheHook NONE = new CacheHook() {
        @Override public boolean active(int layer) { return false; }

        @Override public int[] evict(int layer, KvCache.Layer kv, float[] probs) { return new int[0]; }
    };
}
