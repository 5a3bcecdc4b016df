package dev.jlava.tokenizer;

import java.text.Normalizer.Form;
import java.util.List;

/**
 * Text rewrite applied to each piece of text between special tokens before pre-tokenization
 * (Hugging Face tokenizers' "normalizer").
 */
@FunctionalInterface
public interface Normalizer {
    String apply(String text);

    Normalizer IDENTITY = t -> t;

    static Normalizer unicode(Form form) {
        return t -> java.text.Normalizer.normalize(t, form);
    }

    /** Prepends {@code prefix} to non-empty text (SentencePiece's dummy prefix "▁"). */
    static Normalizer prepend(String prefix) {
        return t -> t.isEmpty() ? t : prefix + t;
    }

    static Normalizer replace(String from, String to) {
        return t -> t.replace(from, to);
    }

    static Normalizer sequence(List<Normalizer> steps) {
        List<Normalizer> copy = List.copyOf(steps);
        return t -> {
            for (Normalizer n : copy) t = n.apply(t);
            return t;
        };
    }
}
