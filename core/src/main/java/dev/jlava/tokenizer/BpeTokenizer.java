package dev.jlava.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * A BPE tokenizer as a pipeline: special tokens are cut out of the text first; every other piece
 * of text is normalized, pre-tokenized and BPE-encoded ({@link BpeModel}). Two families:
 * <ul>
 *   <li>byte-level BPE (GPT-2, Qwen2, Llama 3): pre-tokenizer regex, then the UTF-8 bytes as GPT-2
 *       byte characters, merges by rank; decoding maps the characters back to bytes;</li>
 *   <li>SentencePiece BPE (Llama 2, Vicuna, LLaVA-1.5): spaces become "▁" and one "▁" is
 *       prepended to each piece of text, no pre-tokenization, merges by piece score (GGUF) or by
 *       rank (tokenizer.json), characters outside the vocabulary fall back to {@code <0xXX>} byte
 *       tokens; decoding turns "▁" back into spaces and drops the first leading space.</li>
 * </ul>
 * Built by {@link Tokenizers}. Immutable and thread-safe.
 */
public final class BpeTokenizer implements Tokenizer {
    /** How a normal token's text turns back into bytes. */
    public enum Style { BYTE_LEVEL, SENTENCEPIECE }

    private final String description;
    private final Vocabulary vocab;
    private final SpecialTokens specials;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final Style style;
    private final boolean stripFirstSpace;
    private final int bos;
    private final int eos;
    private final boolean addBos;
    private final Set<Integer> eog;

    BpeTokenizer(String description, Vocabulary vocab, List<SpecialTokens.Entry> specials, Normalizer normalizer,
                 PreTokenizer preTokenizer, BpeModel model, Style style, boolean stripFirstSpace,
                 int bos, int eos, boolean addBos, Set<Integer> eog) {
        this.description = description;
        this.vocab = vocab;
        this.specials = new SpecialTokens(specials);
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.style = style;
        this.stripFirstSpace = stripFirstSpace;
        this.bos = bos;
        this.eos = eos;
        this.addBos = addBos;
        this.eog = Set.copyOf(eog);
    }

    public Style style() { return style; }

    public Vocabulary vocabulary() { return vocab; }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        IntList out = new IntList(16 + text.length() / 3);
        if (addBos && bos >= 0) out.add(bos);
        boolean atStart = true;
        for (SpecialTokens.Fragment f : specials.split(text, parseSpecial)) {
            if (f.isToken()) {
                out.add(f.id());
            } else {
                for (String piece : preTokenizer.split(normalizer.apply(f.text()), atStart)) model.encode(piece, out);
            }
            atStart = false;
        }
        return out.toArray();
    }

    @Override public boolean addBosByDefault() { return addBos; }

    @Override public int bosId() { return bos; }

    @Override public int eosId() { return eos; }

    @Override public Set<Integer> endOfGenerationIds() { return eog; }

    @Override public int vocabSize() { return vocab.size(); }

    @Override public String tokenText(int id) { return vocab.text(id); }

    @Override public int idOf(String tokenText) { return vocab.id(tokenText); }

    @Override public TokenType tokenType(int id) { return vocab.type(id); }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        return Utf8.decodeLossy(StreamDecoder.concat(ids, id -> pieceBytes(id, skipSpecial), stripFirstSpace));
    }

    @Override
    public StreamDecoder newStreamDecoder(boolean skipSpecial) {
        return new StreamDecoder(id -> pieceBytes(id, skipSpecial), stripFirstSpace);
    }

    /** The bytes one token contributes to decoded text; null when skipped or without a token. */
    byte[] pieceBytes(int id, boolean skipSpecial) {
        String text = vocab.text(id);
        if (text == null) return null;
        TokenType type = vocab.type(id);
        if (skipSpecial && type.isSpecial()) return null;
        return switch (type) {
            case NORMAL, UNDEFINED -> style == Style.BYTE_LEVEL
                    ? ByteLevel.decode(text)
                    : text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            case BYTE -> {
                int b = parseByteToken(text);
                yield b >= 0 ? new byte[] {(byte) b} : text.getBytes(StandardCharsets.UTF_8);
            }
            default -> text.getBytes(StandardCharsets.UTF_8); // control, user-defined, unknown, unused: literal text
        };
    }

    /** {@code <0xE4>} to 0xE4; -1 if text is not a byte token. */
    static int parseByteToken(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') return -1;
        int hi = Character.digit(text.charAt(3), 16), lo = Character.digit(text.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    @Override
    public String toString() { return description; }
}
