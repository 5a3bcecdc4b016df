package dev.jlava.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Id to token text, token type and (SentencePiece) score; and text to id. Ids without a token have null text. */
public final class Vocabulary {
    private final String[] texts;
    private final TokenType[] types;
    private final float[] scores;
    private final Map<String, Integer> ids;

    /**
     * @param texts  index = id; null for ids without a token
     * @param types  same length; null entries mean NORMAL
     * @param scores same length or null (only SentencePiece vocabularies have scores)
     */
    public Vocabulary(String[] texts, TokenType[] types, float[] scores) {
        if (types.length != texts.length || (scores != null && scores.length != texts.length)) {
            throw new IllegalArgumentException("texts, types and scores must have the same length");
        }
        this.texts = texts;
        this.types = types;
        this.scores = scores;
        this.ids = HashMap.newHashMap(texts.length);
        for (int i = 0; i < texts.length; i++) {
            if (types[i] == null) types[i] = TokenType.NORMAL;
            // First id wins for duplicate texts, as llama.cpp's token_to_id map.
            if (texts[i] != null) ids.putIfAbsent(texts[i], i);
        }
    }

    public int size() { return texts.length; }

    public String text(int id) { return id >= 0 && id < texts.length ? texts[id] : null; }

    public TokenType type(int id) { return id >= 0 && id < types.length && texts[id] != null ? types[id] : TokenType.UNDEFINED; }

    public float score(int id) { return scores == null ? 0f : scores[id]; }

    public boolean hasScores() { return scores != null; }

    public int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    /** Ids whose type is one of the given ones, ascending. */
    public int[] idsOfType(TokenType... wanted) {
        return java.util.stream.IntStream.range(0, texts.length)
                .filter(i -> texts[i] != null && Arrays.asList(wanted).contains(types[i]))
                .toArray();
    }
}
