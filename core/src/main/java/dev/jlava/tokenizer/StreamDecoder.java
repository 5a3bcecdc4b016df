package dev.jlava.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Decodes a growing id sequence piece by piece. A token can end in the middle of a multi-byte
 * UTF-8 character (byte-level BPE bytes, SentencePiece {@code <0xE4>} tokens), so bytes that could
 * still become a valid character are held back until the next token completes them. The
 * concatenated output of {@link #push} and {@link #flush} equals the tokenizer's whole-sequence
 * decode of the same ids.
 */
public final class StreamDecoder {
    private final IntFunction<byte[]> pieces;
    private final boolean stripFirstSpace;
    private byte[] pending = new byte[0];
    private boolean started;

    /**
     * @param pieces          the bytes of one token, or null for a token that is skipped
     * @param stripFirstSpace drop a space that is the very first byte of the output (SentencePiece's dummy prefix)
     */
    StreamDecoder(IntFunction<byte[]> pieces, boolean stripFirstSpace) {
        this.pieces = pieces;
        this.stripFirstSpace = stripFirstSpace;
    }

    /** Adds one token and returns the text that is now complete (often "", never null). */
    public String push(int id) {
        byte[] b = pieces.apply(id);
        if (b == null || b.length == 0) return "";
        int from = 0;
        if (!started) {
            started = true;
            if (stripFirstSpace && b[0] == ' ') from = 1;
        }
        byte[] buf = Arrays.copyOf(pending, pending.length + b.length - from);
        System.arraycopy(b, from, buf, pending.length, b.length - from);
        int keep = Utf8.incompleteTail(buf, buf.length);
        pending = Arrays.copyOfRange(buf, buf.length - keep, buf.length);
        return Utf8.decodeLossy(buf, 0, buf.length - keep);
    }

    /** Ends the sequence: bytes still held (an unfinished character) come out as U+FFFD. */
    public String flush() {
        String s = Utf8.decodeLossy(pending);
        pending = new byte[0];
        return s;
    }

    /** Bytes of a whole sequence, with the same first-space rule (used by the tokenizer's decode). */
    static byte[] concat(int[] ids, IntFunction<byte[]> pieces, boolean stripFirstSpace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean first = true;
        for (int id : ids) {
            byte[] b = pieces.apply(id);
            if (b == null || b.length == 0) continue;
            int from = first && stripFirstSpace && b[0] == ' ' ? 1 : 0;
            first = false;
            out.write(b, from, b.length - from);
        }
        return out.toByteArray();
    }
}
