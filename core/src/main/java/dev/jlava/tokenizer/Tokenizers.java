package dev.jlava.tokenizer;

import dev.jlava.io.Gguf;
import java.nio.file.Path;

/** Loads the tokenizer that ships with a checkpoint. */
public final class Tokenizers {
    private Tokenizers() {}

    /** From a GGUF file's {@code tokenizer.ggml.*} metadata (model gpt2 = byte-level BPE, llama = SentencePiece). */
    public static Tokenizer fromGguf(Gguf gguf) {
        return GgufTokenizerLoader.load(gguf);
    }

    /**
     * From a Hugging Face model folder: {@code tokenizer.json} if present, else {@code vocab.json} +
     * {@code merges.txt}; BOS/EOS/add_bos from {@code tokenizer_config.json}, extra end-of-generation
     * ids from {@code generation_config.json}.
     */
    public static Tokenizer fromHfFolder(Path dir) {
        return HfTokenizerLoader.load(dir);
    }
}
