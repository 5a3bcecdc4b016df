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
        DecoderCheckpoint ck = DecoderCheckpoint.open(path);
        try {
            return new TextModel(ck, tokenizerOf(ck));
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
