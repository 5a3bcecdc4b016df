package dev.jlava.tokenizer;

import dev.jlava.SharedData;
import dev.jlava.io.Gguf;

/** Tokenizers shared by the test classes, loaded once per JVM. */
final class TestTokenizers {
    private TestTokenizers() {}

    private static Tokenizer gguf(String rel) {
        try (Gguf g = Gguf.open(SharedData.golden(rel))) {
            return Tokenizers.fromGguf(g);
        }
    }

    static final class Qwen2Full { static final Tokenizer TOK = gguf("tokenizer/ggml-vocab-qwen2.gguf"); }

    static final class Llama3 { static final Tokenizer TOK = gguf("tokenizer/ggml-vocab-llama-bpe.gguf"); }

    static final class LlamaSpm { static final Tokenizer TOK = gguf("tokenizer/ggml-vocab-llama-spm.gguf"); }

    static final class Qwen2TinyGguf { static final Tokenizer TOK = gguf("llm/qwen2-tiny-f32.gguf"); }

    static final class Qwen2TinyHf { static final Tokenizer TOK = Tokenizers.fromHfFolder(SharedData.golden("llm/qwen2-tiny-hf")); }

    static final class Llava15Hf { static final Tokenizer TOK = Tokenizers.fromHfFolder(SharedData.golden("llava15/tiny-llava15-hf")); }

    static final class LlavaOvHf { static final Tokenizer TOK = Tokenizers.fromHfFolder(SharedData.golden("llava-ov/tiny-llava-ov-hf")); }
}
