package dev.jlava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer.Form;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants on random input: round trips, streaming = whole decode, independent loaders agree. */
class TokenizerPropertiesTest {

    /** Code points from scripts and symbol ranges that stress pre-tokenizers and byte fallback (no surrogates, no U+2581). */
    static Arbitrary<String> unicodeText(int maxLen) {
        Arbitrary<Integer> cp = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.integers().between(0x20, 0x7E)), // ASCII
                net.jqwik.api.Tuple.of(8, Arbitraries.of(0x20, 0x20, 0x0A, 0x09, 0x0D, 0x0B, 0x0C, 0xA0, 0x3000, 0x2009, 0x85, 0x2028)),
                net.jqwik.api.Tuple.of(6, Arbitraries.of((int) '\'', (int) 's', (int) 'S', (int) 't', (int) 'l', (int) 'd')),
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0xA1, 0x24F)), // Latin-1, Latin Extended
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0x300, 0x36F)), // combining marks
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x400, 0x4FF)), // Cyrillic
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0x600, 0x6FF)), // Arabic
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0x1780, 0x17FF)), // Khmer
                net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(0x4E00, 0x9FFF)), // CJK
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0xAC00, 0xD7A3)), // Hangul
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0xFF01, 0xFF5E)), // fullwidth
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x1F300, 0x1FAFF)), // emoji
                net.jqwik.api.Tuple.of(2, Arbitraries.of(0x200D, 0xFE0F, 0x1F3FB)), // ZWJ, variation selector, skin tone
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x20000, 0x2A6DF)), // CJK extension B
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0x660, 0x669)), // Arabic-Indic digits
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xE000, 0xE0FF))); // private use
        return cp.list().ofMaxSize(maxLen).map(l -> {
            StringBuilder sb = new StringBuilder();
            l.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }

    @Provide
    Arbitrary<String> text() { return unicodeText(40); }

    @Provide
    Arbitrary<String> textWithSpecials() {
        return Arbitraries.oneOf(unicodeText(12), Arbitraries.of("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|im_", "<image>", "<s>"))
                .list().ofMaxSize(5).map(l -> String.join("", l));
    }

    @Property(tries = 300)
    void byteLevelRoundTripQwen2(@ForAll("text") String s) {
        Tokenizer tok = TestTokenizers.Qwen2Full.TOK;
        assertThat(tok.decode(tok.encode(s, false, false))).isEqualTo(s);
    }

    @Property(tries = 300)
    void byteLevelRoundTripLlama3(@ForAll("text") String s) {
        Tokenizer tok = TestTokenizers.Llama3.TOK;
        assertThat(tok.decode(tok.encode(s, false, false))).isEqualTo(s);
    }

    @Property(tries = 300)
    void byteLevelRoundTripWithSpecialTokensParsed(@ForAll("textWithSpecials") String s) {
        Tokenizer tok = TestTokenizers.Qwen2TinyGguf.TOK;
        assertThat(tok.decode(tok.encode(s, false, true))).isEqualTo(s);
        assertThat(tok.decode(tok.encode(s, false, false))).isEqualTo(s);
    }

    /** tokenizer.json normalizes to NFC first, so the round trip gives the NFC form. */
    @Property(tries = 300)
    void tokenizerJsonRoundTripIsNfc(@ForAll("textWithSpecials") String s) {
        Tokenizer tok = TestTokenizers.Qwen2TinyHf.TOK;
        assertThat(tok.decode(tok.encode(s))).isEqualTo(java.text.Normalizer.normalize(s, Form.NFC));
    }

    /** SentencePiece: the dummy "▁" prefix is dropped again when decoding; byte fallback restores any character. */
    @Property(tries = 300)
    void sentencePieceRoundTrip(@ForAll("text") String s) {
        for (Tokenizer tok : List.of(TestTokenizers.LlamaSpm.TOK, TestTokenizers.Llava15Hf.TOK)) {
            assertThat(tok.decode(tok.encode(s, false, false))).isEqualTo(s);
            assertThat(tok.decode(tok.encode(s, true, false), true)).isEqualTo(s);
        }
    }

    /** Two loaders, two merge rules (GGUF piece scores vs tokenizer.json merge ranks), one vocabulary. */
    @Property(tries = 300)
    void sentencePieceGgufAndTokenizerJsonAgree(@ForAll("text") String s) {
        assertThat(TestTokenizers.Llava15Hf.TOK.encode(s, true, false)).containsExactly(TestTokenizers.LlamaSpm.TOK.encode(s, true, false));
    }

    /** Except after NFC and for "'ſ", which only tokenizer.json's (?i:'s) matches (see HfVariantsTest). */
    @Property(tries = 300)
    void qwen2GgufAndTokenizerJsonAgreeOnNfcText(@ForAll("textWithSpecials") String raw) {
        String s = java.text.Normalizer.normalize(raw, Form.NFC).replace('\u017F', 's');
        assertThat(TestTokenizers.Qwen2TinyHf.TOK.encode(s)).containsExactly(TestTokenizers.Qwen2TinyGguf.TOK.encode(s));
    }

    @Provide
    Arbitrary<int[]> qwenIds() {
        // byte tokens (ids < 256 include every byte character), any id, and ids past the vocabulary
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 8300))
                .array(int[].class).ofMaxSize(30);
    }

    @Provide
    Arbitrary<int[]> spmIds() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 300), Arbitraries.integers().between(0, 32100))
                .array(int[].class).ofMaxSize(30);
    }

    /** Text written one byte token at a time (multi-byte characters split across tokens), with random ids mixed in. */
    static Arbitrary<int[]> byteSplitIds(Tokenizer tok, boolean sentencePiece) {
        Arbitrary<int[]> bytes = unicodeText(12).map(s -> {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                ids[i] = tok.idOf(sentencePiece ? String.format("<0x%02X>", b[i] & 0xff) : String.valueOf(ByteLevel.charOf(b[i])));
            }
            return ids;
        });
        Arbitrary<int[]> noise = Arbitraries.integers().between(0, tok.vocabSize() + 5).array(int[].class).ofMaxSize(2);
        return Arbitraries.oneOf(bytes, noise).list().ofMaxSize(6).map(parts -> {
            IntList all = new IntList(16);
            parts.forEach(all::addAll);
            return all.toArray();
        });
    }

    @Provide
    Arbitrary<int[]> qwenByteSplitIds() { return byteSplitIds(TestTokenizers.Qwen2TinyGguf.TOK, false); }

    @Provide
    Arbitrary<int[]> spmByteSplitIds() { return byteSplitIds(TestTokenizers.LlamaSpm.TOK, true); }

    @Property(tries = 300)
    void streamingEqualsWholeDecodeOfSplitCharactersByteLevel(@ForAll("qwenByteSplitIds") int[] ids) {
        assertStreamingEqualsWhole(TestTokenizers.Qwen2TinyGguf.TOK, ids);
    }

    @Property(tries = 300)
    void streamingEqualsWholeDecodeOfSplitCharactersSentencePiece(@ForAll("spmByteSplitIds") int[] ids) {
        assertStreamingEqualsWhole(TestTokenizers.LlamaSpm.TOK, ids);
    }

    @Property(tries = 300)
    void streamingEqualsWholeDecodeByteLevel(@ForAll("qwenIds") int[] ids) {
        assertStreamingEqualsWhole(TestTokenizers.Qwen2TinyGguf.TOK, ids);
    }

    @Property(tries = 300)
    void streamingEqualsWholeDecodeSentencePiece(@ForAll("spmIds") int[] ids) {
        assertStreamingEqualsWhole(TestTokenizers.LlamaSpm.TOK, ids);
        assertStreamingEqualsWhole(TestTokenizers.Llava15Hf.TOK, ids);
    }

    /** Streaming never emits part of a character: every chunk is well-formed except for U+FFFD from invalid bytes. */
    @Property(tries = 200)
    void streamingOfEncodedTextEmitsWholeCharacters(@ForAll("text") String s) {
        Tokenizer tok = TestTokenizers.Qwen2Full.TOK;
        StreamDecoder d = tok.newStreamDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : tok.encode(s, false, false)) {
            String chunk = d.push(id);
            assertThat(chunk).doesNotContain("\uFFFD");
            sb.append(chunk);
        }
        assertThat(d.flush()).isEmpty();
        assertThat(sb.toString()).isEqualTo(s);
    }

    static void assertStreamingEqualsWhole(Tokenizer tok, int[] ids) {
        for (boolean skip : new boolean[] {false, true}) {
            StreamDecoder d = tok.newStreamDecoder(skip);
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(d.push(id));
            sb.append(d.flush());
            assertThat(sb.toString()).isEqualTo(tok.decode(ids, skip));
        }
    }
}
