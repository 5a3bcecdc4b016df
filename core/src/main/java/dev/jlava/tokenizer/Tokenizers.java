package dev.jlava.tokenizer;

import dev.jlava.io.Gguf;
import java.nio.file.Files;
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

    /** A {@code .gguf} file (opened, read and closed again: the tokenizer keeps its own copy) or a Hugging Face folder. */
    public static Tokenizer load(Path fileOrDir) {
        if (Files.isRegularFile(fileOrDir) && fileOrDir.getFileName().toString().endsWith(".gguf")) {
            try (Gguf g = Gguf.open(fileOrDir)) {
                return fromGguf(g);
            }
        }
        return fromHfFolder(fileOrDir);
    }
}
