package dev.jlava.app;

import dev.jlava.io.Gguf;
import dev.jlava.llm.DecoderCheckpoint;
import dev.jlava.tokenizer.Tokenizer;
import dev.jlava.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;

/** A text model for the CLI: the decoder and the tokenizer from the same checkpoint. */
record TextModel(DecoderCheckpoint checkpoint, Tokenizer tokenizer) implements AutoCloseable {
    static TextModel open(Path path) {
        return open(path, true);
    }

    /** Without {@code requireTokenizer}, a checkpoint with no tokenizer files opens with a null tokenizer (ids only). */
    static TextModel open(Path path, boolean requireTokenizer) {
        DecoderCheckpoint ck = DecoderCheckpoint.open(path);
        try {
            Tokenizer tok;
            try {
                tok = tokenizerOf(ck);
            } catch (dev.jlava.io.ModelFileException e) {
                if (requireTokenizer) throw e;
                tok = null;
            }
            return new TextModel(ck, tok);
        } catch (RuntimeException e) {
            ck.close();
            throw e;
        }
    }

    static Tokenizer tokenizerOf(DecoderCheckpoint ck) {
        if (ck.store() instanceof Gguf g) return Tokenizers.fromGguf(g);
        Path dir = Files.isDirectory(ck.path()) ? ck.path() : ck.path().getParent();
        return Tokenizers.fromHfFolder(dir);
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
