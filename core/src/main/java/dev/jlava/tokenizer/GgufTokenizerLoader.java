package dev.jlava.tokenizer;

import dev.jlava.io.Gguf;
import dev.jlava.io.ModelFileException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the tokenizer stored in a GGUF file's {@code tokenizer.ggml.*} metadata, with
 * llama.cpp's defaults (llama-vocab.cpp) for keys the file leaves out.
 */
final class GgufTokenizerLoader {
    private static final String P = "tokenizer.ggml.";

    /** Texts llama.cpp treats as end of generation when the vocabulary has them as control tokens. */
    static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
            "<|eom_id|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>");

    private GgufTokenizerLoader() {}

    static BpeTokenizer load(Gguf g) {
        String model = g.getString(P + "model");
        String[] tokens = g.getStringArray(P + "tokens");
        int n = tokens.length;
        TokenType[] types = new TokenType[n];
        if (g.hasKey(P + "token_type")) {
            int[] codes = g.getIntArray(P + "token_type");
            if (codes.length != n) throw bad(g, "token_type", "has " + codes.length + " entries but tokens has " + n);
            for (int i = 0; i < n; i++) {
                types[i] = TokenType.fromGguf(codes[i]);
                if (types[i] == null) throw bad(g, "token_type", "[" + i + "] = " + codes[i] + " is not a token type (0..6)");
            }
        }
        return switch (model) {
            case "gpt2" -> byteLevel(g, tokens, types);
            case "llama" -> sentencePiece(g, tokens, types);
            default -> throw bad(g, "model", "'" + model + "' is not supported (supported: gpt2 = byte-level BPE, llama = SentencePiece)");
        };
    }

    private static BpeTokenizer byteLevel(Gguf g, String[] tokens, TokenType[] types) {
        Vocabulary vocab = new Vocabulary(tokens, types, null);
        String pre = g.getString(P + "pre", "default");
        String regex;
        boolean ignoreMerges = false, addBos = false;
        switch (pre) {
            case "default", "gpt-2", "gpt2", "phi-2", "roberta-bpe", "jina-es", "jina-de", "jina-v1-en", "jina-v2-es",
                 "jina-v2-de", "jina-v2-code", "gigachat" -> regex = PreTokenizer.GPT2_REGEX;
            case "llama3", "llama-v3", "llama-bpe", "falcon3" -> {
                regex = PreTokenizer.LLAMA3_REGEX;
                ignoreMerges = true; // llama.cpp: a pre-token that is a whole token is not merged
                addBos = true;
            }
            case "qwen2", "deepseek-r1-qwen" -> regex = PreTokenizer.QWEN2_REGEX;
            default -> throw bad(g, "pre", "pre-tokenizer '" + pre + "' is not supported (supported: default/gpt-2, llama-bpe/llama3, qwen2)");
        }
        addBos = g.getBool(P + "add_bos_token", addBos);
        String[] merges = g.getStringArray(P + "merges");
        MergeTable table = new MergeTable(merges.length);
        for (int r = 0; r < merges.length; r++) {
            String m = merges[r];
            int sp = m.indexOf(' ', 1);
            if (sp < 0) throw bad(g, "merges", "[" + r + "] = '" + m + "' is not 'left right'");
            String err = addMerge(table, vocab, m.substring(0, sp), m.substring(sp + 1), r);
            if (err != null) throw bad(g, "merges", err);
        }
        BpeModel bpe = new BpeModel(vocab, table, false, -1, ignoreMerges);
        PreTokenizer pt = PreTokenizer.byteLevel(PreTokenizer.regexIsolated(PreTokenizer.llamaCppContractions(regex)), false);
        int bos = g.getInt(P + "bos_token_id", -1);
        int eos = g.getInt(P + "eos_token_id", -1);
        return new BpeTokenizer("byte-level BPE (" + pre + ") from " + g.file().getFileName(), vocab, specials(vocab),
                Normalizer.IDENTITY, pt, bpe, BpeTokenizer.Style.BYTE_LEVEL, false, bos, eos, addBos, eog(g, vocab, eos));
    }

    private static BpeTokenizer sentencePiece(Gguf g, String[] tokens, TokenType[] types) {
        float[] scores = g.hasKey(P + "scores") ? g.getFloatArray(P + "scores") : new float[tokens.length];
        if (scores.length != tokens.length) throw bad(g, "scores", "has " + scores.length + " entries but tokens has " + tokens.length);
        Vocabulary vocab = new Vocabulary(tokens, types, scores);
        boolean prefix = g.getBool(P + "add_space_prefix", true);
        Normalizer norm = Normalizer.replace(" ", "\u2581");
        if (prefix) norm = Normalizer.sequence(List.of(Normalizer.prepend("\u2581"), norm));
        int unk = g.getInt(P + "unknown_token_id", 0);
        BpeModel bpe = new BpeModel(vocab, MergeRule.byScore(vocab), true, unk, false);
        int bos = g.getInt(P + "bos_token_id", 1);
        int eos = g.getInt(P + "eos_token_id", 2);
        boolean addBos = g.getBool(P + "add_bos_token", true);
        return new BpeTokenizer("SentencePiece BPE from " + g.file().getFileName(), vocab, specials(vocab), norm,
                PreTokenizer.whole(), bpe, BpeTokenizer.Style.SENTENCEPIECE, prefix, bos, eos, addBos, eog(g, vocab, eos));
    }

    /** Control and unknown tokens are matched with parse_special; user-defined ones always (llama.cpp). */
    private static List<SpecialTokens.Entry> specials(Vocabulary v) {
        List<SpecialTokens.Entry> out = new ArrayList<>();
        for (int id : v.idsOfType(TokenType.CONTROL, TokenType.UNKNOWN, TokenType.USER_DEFINED)) {
            out.add(new SpecialTokens.Entry(v.text(id), id, v.type(id) != TokenType.USER_DEFINED, false, false));
        }
        return out;
    }

    private static Set<Integer> eog(Gguf g, Vocabulary v, int eos) {
        Set<Integer> out = new HashSet<>();
        if (eos >= 0) out.add(eos);
        for (String key : List.of("eot_token_id", "eom_token_id")) {
            int id = g.getInt(P + key, -1);
            if (id >= 0) out.add(id);
        }
        for (String t : EOG_TEXTS) {
            int id = v.id(t);
            if (id >= 0 && v.type(id) == TokenType.CONTROL) out.add(id);
        }
        return out;
    }

    /** Adds merge #rank; returns null, or what is wrong with it. */
    static String addMerge(MergeTable table, Vocabulary vocab, String left, String right, int rank) {
        int a = vocab.id(left), b = vocab.id(right), m = vocab.id(left + right);
        if (a < 0 || b < 0 || m < 0) {
            String missing = a < 0 ? left : b < 0 ? right : left + right;
            return "[" + rank + "] = '" + left + " " + right + "' uses '" + missing + "', which is not a token";
        }
        table.add(a, b, rank, m);
        return null;
    }

    private static ModelFileException bad(Gguf g, String key, String what) {
        return new ModelFileException(g.file(), "metadata '" + P + key + "' " + what);
    }
}
