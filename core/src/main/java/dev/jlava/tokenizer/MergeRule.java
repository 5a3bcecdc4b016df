package dev.jlava.tokenizer;

/**
 * Which adjacent token pair BPE merges first. {@link #merge} returns {@link #pack}(priority, merged id)
 * or {@link #NONE}; lower priority merges first, ties go to the leftmost pair.
 */
@FunctionalInterface
public interface MergeRule {
    long NONE = -1L;

    long merge(int left, int right);

    static long pack(int priority, int mergedId) {
        return ((long) priority << 32) | (mergedId & 0xffffffffL);
    }

    static int priority(long packed) { return (int) (packed >> 32); }

    static int mergedId(long packed) { return (int) packed; }

    /**
     * SentencePiece rule (llama.cpp's llm_tokenizer_spm): any pair whose concatenated text is a
     * token merges, highest token score first.
     */
    static MergeRule byScore(Vocabulary vocab) {
        return (left, right) -> {
            int id = vocab.id(vocab.text(left) + vocab.text(right));
            if (id < 0) return NONE;
            // Order-reversing map of the float score onto int: higher score, lower priority.
            int bits = Float.floatToIntBits(vocab.score(id));
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
            return pack(~sortable, id);
        };
    }
}
