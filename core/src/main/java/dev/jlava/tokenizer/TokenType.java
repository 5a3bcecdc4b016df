package dev.jlava.tokenizer;

/** Token kinds, numbered as GGUF's {@code tokenizer.ggml.token_type} (llama.cpp's llama_token_type). */
public enum TokenType {
    UNDEFINED, // 0
    NORMAL, // 1
    UNKNOWN, // 2  <unk>
    CONTROL, // 3  BOS, EOS, <|im_start|>, HF added tokens with special=true
    USER_DEFINED, // 4  HF added tokens with special=false: always matched in text
    UNUSED, // 5  padding entries such as [PAD151646]
    BYTE; // 6  SentencePiece byte fallback <0xXX>

    public static TokenType fromGguf(int code) {
        TokenType[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }

    /** Written into text by its literal content and skipped by skip-special decoding. */
    public boolean isSpecial() {
        return this == CONTROL || this == UNKNOWN;
    }
}
