package dev.jlava.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
        int keep = incompleteTail(buf);
        pending = Arrays.copyOfRange(buf, buf.length - keep, buf.length);
        return new String(buf, 0, buf.length - keep, StandardCharsets.UTF_8);
    }

    /** Ends the sequence: bytes still held (an unfinished character) come out as U+FFFD. */
    public String flush() {
        String s = new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        return s;
    }

    /**
     * Length of the suffix of buf that is a proper prefix of a valid UTF-8 sequence (a lead byte
     * followed by fewer continuation bytes than it needs, each in the range the lead allows), else 0.
     * Cutting there leaves the decoder state clean, so decoding the two halves separately gives
     * the same characters as decoding the whole.
     */
    static int incompleteTail(byte[] buf) {
        int n = buf.length;
        for (int back = 1; back <= 3 && back <= n; back++) {
            int lead = buf[n - back] & 0xff;
            if (lead < 0x80) return 0;
            if (lead < 0xC0) continue; // continuation byte: look further back
            int need = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
            if (need == 0 || back >= need) return 0;
            for (int k = 1; k < back; k++) {
                int c = buf[n - back + k] & 0xff;
                int lo = 0x80, hi = 0xBF;
                if (k == 1) {
                    if (lead == 0xE0) lo = 0xA0;
                    else if (lead == 0xED) hi = 0x9F;
                    else if (lead == 0xF0) lo = 0x90;
                    else if (lead == 0xF4) hi = 0x8F;
                }
                if (c < lo || c > hi) return 0;
            }
            return back;
        }
        return 0;
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
