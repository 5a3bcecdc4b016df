package dev.jlava.reduce;

/**
 * Stage 3: evicts visual KV entries while decoding (ST³ VTA). Called per layer per step with the
 * step's scores; evicted entries are gone for good (this step's attention and every later one
 * run without them; the softmax renormalises over what is left). Text entries are never offered.
 */
public interface CacheReducer {
    /** Whether this step needs {@link CacheState#scores()} for the layer (false: {@link #evict} will return nothing). */
    boolean needsScores(int layer, int step, int visualAfterPrefill, int visualNow);

    /** Indices into {@link CacheState#entries()} to evict, ascending. */
    int[] evict(CacheState state);

    /** Forgets per-request state (accumulated scores); call before each new prompt. */
    default void reset() {}

    void validate(int numLayers);

    String describe();
}
