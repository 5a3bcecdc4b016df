package dev.jlava.tokenizer;

/**
 * Lossy UTF-8 decoding with the Unicode "maximal subpart" policy (Unicode Standard §3.9, U+FFFD
 * substitution): each maximal prefix of a well-formed sequence that is cut short, and each byte that
 * cannot start one, becomes one U+FFFD. This is what HF tokenizers produce (Rust's
 * {@code String::from_utf8_lossy}). The JDK's decoder differs: it swallows an encoded surrogate
 * such as {@code ED A0 80} into a single U+FFFD, which would also make streamed and whole decodes
 * disagree, so tokens are never decoded with it.
 */
final class Utf8 {
    private Utf8() {}

    static String decodeLossy(byte[] b) { return decodeLossy(b, 0, b.length); }

    static String decodeLossy(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int lead = b[i] & 0xff;
            if (lead < 0x80) { sb.append((char) lead); i++; continue; }
            int need = sequenceLength(lead);
            if (need == 0) { sb.append('\uFFFD'); i++; continue; }
            int cp = lead & (0x7f >> need);
            int k = 1;
            for (; k < need && i + k < end; k++) {
                int c = b[i + k] & 0xff;
                if (c < lowerBound(lead, k) || c > upperBound(lead, k)) break;
                cp = (cp << 6) | (c & 0x3f);
            }
            if (k == need) sb.appendCodePoint(cp);
            else sb.append('\uFFFD'); // the maximal subpart b[i, i+k) is one replacement
            i += k;
        }
        return sb.toString();
    }

    /** Bytes in the sequence a lead byte starts, or 0 if it cannot start one (C0, C1, F5..FF, continuations). */
    static int sequenceLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) return 2;
        if (lead >= 0xE0 && lead <= 0xEF) return 3;
        if (lead >= 0xF0 && lead <= 0xF4) return 4;
        return 0;
    }

    /** Smallest allowed value of continuation byte k (1-based) after lead: excludes overlongs. */
    static int lowerBound(int lead, int k) {
        if (k == 1 && lead == 0xE0) return 0xA0;
        if (k == 1 && lead == 0xF0) return 0x90;
        return 0x80;
    }

    /** Largest allowed value of continuation byte k after lead: excludes surrogates and code points past U+10FFFF. */
    static int upperBound(int lead, int k) {
        if (k == 1 && lead == 0xED) return 0x9F;
        if (k == 1 && lead == 0xF4) return 0x8F;
        return 0xBF;
    }

    /**
     * Length of the suffix of buf[0, n) that is a proper prefix of a well-formed sequence (a lead
     * byte followed by fewer continuation bytes than it needs, each in the range the lead allows),
     * else 0. A decoder's state is clean right before such a suffix (its lead byte ends any earlier
     * subpart), so decoding the parts on either side separately gives the whole's characters.
     */
    static int incompleteTail(byte[] buf, int n) {
        for (int back = 1; back <= 3 && back <= n; back++) {
            int lead = buf[n - back] & 0xff;
            if (lead < 0x80) return 0;
            if (lead < 0xC0) continue; // continuation byte: look further back
            int need = sequenceLength(lead);
            if (need == 0 || back >= need) return 0;
            for (int k = 1; k < back; k++) {
                int c = buf[n - back + k] & 0xff;
                if (c < lowerBound(lead, k) || c > upperBound(lead, k)) return 0;
            }
            return back;
        }
        return 0;
    }
}
