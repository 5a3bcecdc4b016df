package dev.jlava.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits normalized text into pieces that BPE encodes independently (Hugging Face's
 * "pre_tokenizer"; llama.cpp's regex_exprs per tokenizer.ggml.pre).
 */
@FunctionalInterface
public interface PreTokenizer {
    List<String> split(String text);

    /**
     * @param atStart the text is the beginning of the input (no special token before it); only
     *                Metaspace with prepend_scheme "first" cares
     */
    default List<String> split(String text, boolean atStart) {
        return split(text);
    }

    /** Qwen2 / Qwen2.5 (Hugging Face tokenizer.json; llama.cpp writes the contractions as '[sS] etc.). */
    String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Llama 3: as Qwen2 but digits in runs of up to three. */
    String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /**
     * The contraction alternative as llama.cpp writes it for GGUF files: ASCII case only. With
     * {@code (?i:...)} Java and Oniguruma also match "'ſ" (long s folds to s); llama.cpp does not.
     */
    static String llamaCppContractions(String regex) {
        return regex.replace("(?i:'s|'t|'re|'ve|'m|'ll|'d)", "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])");
    }

    /** GPT-2 (also the ByteLevel pre-tokenizer's own regex when use_regex is true). */
    String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /**
     * Hugging Face Split with behavior "Isolated": every match is a piece, and so is any text between
     * matches. Compiled with UNICODE_CHARACTER_CLASS so {@code \s} is Unicode White_Space, like the
     * Oniguruma regexes Hugging Face and the splitter llama.cpp use.
     */
    static PreTokenizer regexIsolated(String regex) {
        Pattern p = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        return text -> {
            List<String> out = new ArrayList<>();
            Matcher m = p.matcher(text);
            int last = 0;
            while (m.find()) {
                if (m.start() > last) out.add(text.substring(last, m.start()));
                if (m.end() > m.start()) out.add(m.group());
                last = m.end();
            }
            if (last < text.length()) out.add(text.substring(last));
            return out;
        };
    }

    /** Maps every piece's UTF-8 bytes to GPT-2 byte characters (Hugging Face ByteLevel without its regex). */
    static PreTokenizer byteLevel(PreTokenizer before, boolean addPrefixSpace) {
        return text -> {
            if (addPrefixSpace && !text.isEmpty() && text.charAt(0) != ' ') text = " " + text;
            List<String> pieces = before.split(text);
            List<String> out = new ArrayList<>(pieces.size());
            for (String s : pieces) out.add(ByteLevel.encode(s));
            return out;
        };
    }

    /** When Metaspace prepends its replacement character. */
    enum PrependScheme { ALWAYS, FIRST, NEVER }

    /**
     * Hugging Face Metaspace: spaces become {@code replacement}; one is prepended (ALWAYS, or FIRST:
     * only to the text at the very start of the input); {@code split} starts a new piece before every
     * replacement character.
     */
    static PreTokenizer metaspace(char replacement, PrependScheme scheme, boolean split) {
        return new PreTokenizer() {
            @Override
            public List<String> split(String text) {
                return split(text, true);
            }

            @Override
            public List<String> split(String text, boolean atStart) {
                String t = text.replace(' ', replacement);
                boolean prefix = scheme == PrependScheme.ALWAYS || (scheme == PrependScheme.FIRST && atStart);
                if (prefix && !t.isEmpty() && t.charAt(0) != replacement) t = replacement + t;
                if (!split) return t.isEmpty() ? List.of() : List.of(t);
                List<String> out = new ArrayList<>();
                int start = 0;
                for (int i = 1; i < t.length(); i++) {
                    if (t.charAt(i) == replacement) {
                        out.add(t.substring(start, i));
                        start = i;
                    }
                }
                if (start < t.length()) out.add(t.substring(start));
                return out;
            }
        };
    }

    static PreTokenizer sequence(List<PreTokenizer> steps) {
        List<PreTokenizer> copy = List.copyOf(steps);
        return new PreTokenizer() {
            @Override
            public List<String> split(String text) {
                return split(text, true);
            }

            @Override
            public List<String> split(String text, boolean atStart) {
                List<String> pieces = List.of(text);
                for (PreTokenizer p : copy) {
                    List<String> next = new ArrayList<>();
                    for (int i = 0; i < pieces.size(); i++) next.addAll(p.split(pieces.get(i), atStart && i == 0));
                    pieces = next;
                }
                return pieces;
            }
        };
    }

    /** The whole text as one piece (SentencePiece-style models without pre-tokenization). */
    static PreTokenizer whole() {
        return text -> text.isEmpty() ? List.of() : List.of(text);
    }
}
