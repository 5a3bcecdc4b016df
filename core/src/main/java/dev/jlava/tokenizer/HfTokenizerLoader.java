package dev.jlava.tokenizer;

import java.nio.file.Path;

final class HfTokenizerLoader {
    private HfTokenizerLoader() {}

    static BpeTokenizer load(Path dir) {
        throw new UnsupportedOperationException("todo");
    }
}
