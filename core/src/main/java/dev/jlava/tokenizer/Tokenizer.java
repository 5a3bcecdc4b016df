package dev.jlava.tokenizer;

import java.util.Set;

/**
 * Text to token ids and back, as the checkpoint's own tokenizer does it.
 *
 * <p>{@link #encode(String)} matches llama.cpp's {@code llama_tokenize(add_special = true,
 * parse_special = true)} and Hugging Face's {@code tokenizer(text)}: BOS when the model adds one,
 * special tokens written in the text become their ids. Ids without a token (embedding padding rows,
 * e.g. 32002..32063 of llava-1.5) decode to nothing.
 */
public interface Tokenizer {

    /**
     * @param addBos       prepend {@link #bosId()} (ignored when the model has no BOS token)
     * @param parseSpecial text equal to a control/special token (e.g. {@code <|im_end|>}) becomes that
     *                     token; when false it is tokenized as plain text. User-defined (non-special
     *                     added) tokens are always matched, as in llama.cpp and Hugging Face.
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** BOS as the model says ({@link #addBosByDefault()}), special tokens parsed. */
    default int[] encode(String text) {
        return encode(text, addBosByDefault(), true);
    }

    /**
     * For text rendered by a {@link ChatTemplate}: as {@link #encode(String)}, but no second BOS when
     * the template already wrote the BOS token (Llama 3's templates do; llava-hf's do not and rely on
     * the tokenizer adding it).
     */
    default int[] encodeChat(String renderedPrompt) {
        String bosText = bosId() >= 0 ? tokenText(bosId()) : null;
        boolean written = bosText != null && !bosText.isEmpty() && renderedPrompt.startsWith(bosText);
        return encode(renderedPrompt, addBosByDefault() && !written, true);
    }

    boolean addBosByDefault();

    /** -1 when the model has no BOS token (e.g. Qwen2's tokenizer_config.json says null). */
    int bosId();

    /** -1 when unknown. */
    int eosId();

    /** Ids that end generation: EOS plus the turn terminators the vocabulary has (<|im_end|>, <|eot_id|>, ...). */
    Set<Integer> endOfGenerationIds();

    default boolean isEndOfGeneration(int id) {
        return endOfGenerationIds().contains(id);
    }

    /** Number of ids that have a token (max id + 1). The model's embedding table may have more rows. */
    int vocabSize();

    /** The token's text as stored in the vocabulary (e.g. "Ġthe", "▁the", "<0x0A>"), or null if the id has none. */
    String tokenText(int id);

    /** The id of a token given its vocabulary text, or -1. */
    int idOf(String tokenText);

    TokenType tokenType(int id);

    /** Concatenated text of the ids; special tokens are written as their text. Invalid UTF-8 becomes U+FFFD. */
    default String decode(int[] ids) {
        return decode(ids, false);
    }

    /** @param skipSpecial drop control/special tokens (BOS, EOS, <|im_end|>, ...) as HF's skip_special_tokens. */
    String decode(int[] ids, boolean skipSpecial);

    /** Incremental decoder whose concatenated output equals {@link #decode(int[])} of the pushed ids. */
    default StreamDecoder newStreamDecoder() {
        return newStreamDecoder(false);
    }

    StreamDecoder newStreamDecoder(boolean skipSpecial);
}
