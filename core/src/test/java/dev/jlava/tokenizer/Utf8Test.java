package dev.jlava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class Utf8Test {
    private static String decode(String hex) { return Utf8.decodeLossy(HexFormat.of().parseHex(hex)); }

    /** The worked examples of U+FFFD substitution in the Unicode Standard, chapter 3 (tables 3-8 to 3-11). */
    @Test
    void substitutesOneReplacementPerMaximalSubpart() {
        assertThat(decode("61F18080E180C262806380BF64")).isEqualTo("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
        // non-shortest forms: every byte is its own subpart
        assertThat(decode("C0AFE080BFF0818241")).isEqualTo("\uFFFD".repeat(8) + "A");
        // encoded surrogates and a code point past U+10FFFF: also one per byte
        assertThat(decode("EDA080EDBFBFEDAF41")).isEqualTo("\uFFFD".repeat(8) + "A");
        assertThat(decode("F4919293FF4180BF42")).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA\uFFFD\uFFFDB");
        // truncated sequences
        assertThat(decode("E180E2F091F1BF41")).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFDA");
    }

    @Test
    void decodesEveryScalarValueLikeTheJdk() {
        StringBuilder sb = new StringBuilder();
        for (int cp = 0; cp <= 0x10FFFF; cp += cp < 0x3000 ? 1 : 97) {
            if (cp >= 0xD800 && cp <= 0xDFFF) continue;
            sb.appendCodePoint(cp);
        }
        sb.appendCodePoint(0x10FFFF);
        String s = sb.toString();
        assertThat(Utf8.decodeLossy(s.getBytes(StandardCharsets.UTF_8))).isEqualTo(s);
    }

    @Provide
    Arbitrary<byte[]> utf8ish() {
        // bytes drawn around the boundaries where UTF-8 validity changes
        int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
        return Arbitraries.of(Arrays.stream(interesting).boxed().toList())
                .map(Integer::byteValue).list().ofMaxSize(12)
                .map(l -> { byte[] b = new byte[l.size()]; for (int i = 0; i < b.length; i++) b[i] = l.get(i); return b; });
    }

    /** Holding back an incomplete tail and decoding the parts separately never changes the text. */
    @Property(tries = 2000)
    void decodingAroundAnIncompleteTailEqualsDecodingTheWhole(@ForAll("utf8ish") byte[] b, @ForAll long seed) {
        java.util.Random r = new java.util.Random(seed);
        StringBuilder streamed = new StringBuilder();
        byte[] pending = new byte[0];
        int i = 0;
        while (i < b.length) {
            int k = 1 + r.nextInt(b.length - i);
            byte[] buf = Arrays.copyOf(pending, pending.length + k);
            System.arraycopy(b, i, buf, pending.length, k);
            i += k;
            int keep = Utf8.incompleteTail(buf, buf.length);
            pending = Arrays.copyOfRange(buf, buf.length - keep, buf.length);
            streamed.append(Utf8.decodeLossy(buf, 0, buf.length - keep));
        }
        streamed.append(Utf8.decodeLossy(pending));
        assertThat(streamed.toString()).as(HexFormat.of().formatHex(b)).isEqualTo(Utf8.decodeLossy(b));
    }

    /** The regression CI found: the JDK folds ED A0 BF into one U+FFFD, splitting after A0 gives two. */
    @Test
    void encodedSurrogateSplitAcrossTokensDecodesLikeTheWhole() {
        byte[] whole = HexFormat.of().parseHex("EDA0BFBF90");
        assertThat(Utf8.decodeLossy(whole)).isEqualTo("\uFFFD".repeat(5));
        assertThat(Utf8.decodeLossy(whole, 0, 2) + Utf8.decodeLossy(whole, 2, 3)).isEqualTo(Utf8.decodeLossy(whole));
    }
}
