package dev.jlava.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's reversible byte to printable-character table used by byte-level BPE: the printable
 * Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in byte order (space is 'Ġ'
 * U+0120, newline 'Ċ' U+010A). BPE then runs over these characters, one per UTF-8 byte.
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    public static char charOf(int b) { return BYTE_TO_CHAR[b & 0xff]; }

    /** -1 when c is not one of the 256 byte characters. */
    public static int byteOf(char c) { return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1; }

    /** The UTF-8 bytes of text, each written as its byte character. */
    public static String encode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) out[i] = BYTE_TO_CHAR[utf8[i] & 0xff];
        return new String(out);
    }

    /** Inverse of {@link #encode}; a character outside the table contributes its own UTF-8 bytes. */
    public static byte[] decode(String piece) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length());
        for (int i = 0; i < piece.length(); i++) {
            char c = piece.charAt(i);
            int b = byteOf(c);
            if (b >= 0) {
                out.write(b);
            } else {
                int cp = piece.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toByteArray();
    }
}
