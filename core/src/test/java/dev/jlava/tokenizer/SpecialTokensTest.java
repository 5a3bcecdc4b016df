package dev.jlava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecialTokensTest {

    @Test
    void longestMatchWinsAtAPosition() {
        SpecialTokens st = new SpecialTokens(List.of(
                new SpecialTokens.Entry("<a>", 1, true, false, false),
                new SpecialTokens.Entry("<a>b", 2, true, false, false)));
        assertThat(st.split("x<a>by<a>", true)).containsExactly(
                new SpecialTokens.Fragment("x", -1), new SpecialTokens.Fragment("<a>b", 2),
                new SpecialTokens.Fragment("y", -1), new SpecialTokens.Fragment("<a>", 1));
    }

    @Test
    void controlTokensOnlyWhenParsingSpecialUserDefinedAlways() {
        SpecialTokens st = new SpecialTokens(List.of(
                new SpecialTokens.Entry("<c>", 1, true, false, false),
                new SpecialTokens.Entry("<u>", 2, false, false, false)));
        assertThat(st.split("<c><u>", false)).containsExactly(new SpecialTokens.Fragment("<c>", -1), new SpecialTokens.Fragment("<u>", 2));
        assertThat(st.split("<c><u>", true)).containsExactly(new SpecialTokens.Fragment("<c>", 1), new SpecialTokens.Fragment("<u>", 2));
    }

    @Test
    void lstripAndRstripSwallowWhitespace() {
        SpecialTokens st = new SpecialTokens(List.of(new SpecialTokens.Entry("<m>", 7, true, true, true)));
        assertThat(st.split("a  <m>\n b", true)).containsExactly(
                new SpecialTokens.Fragment("a", -1), new SpecialTokens.Fragment("<m>", 7), new SpecialTokens.Fragment("b", -1));
    }

    @Test
    void chatMarkersBecomeTheirIdsOnlyWithParseSpecial() {
        Tokenizer tok = TestTokenizers.Qwen2TinyHf.TOK;
        String text = "<|im_start|>user\nHi<|im_end|>\n";
        int[] parsed = tok.encode(text, false, true);
        assertThat(parsed[0]).isEqualTo(8193);
        assertThat(parsed).contains(8194);
        int[] plain = tok.encode(text, false, false);
        assertThat(plain).doesNotContain(8192, 8193, 8194);
        assertThat(tok.decode(plain)).isEqualTo(text);
        assertThat(tok.decode(parsed)).isEqualTo(text);
        assertThat(tok.decode(parsed, true)).isEqualTo("user\nHi\n");
        // same on the GGUF side, where the markers are CONTROL token types
        assertThat(TestTokenizers.Qwen2TinyGguf.TOK.encode(text)).containsExactly(parsed);
    }

    @Test
    void sentencePiecePrefixesASpaceAfterEverySpecialToken() {
        Tokenizer tok = TestTokenizers.Llava15Hf.TOK;
        int[] ids = tok.encode("USER: <image>\nHi</s>x");
        // <s> ▁US ER : ▁ <image> ▁ <0x0A> Hi </s> ▁x
        assertThat(ids[0]).isEqualTo(1);
        int img = indexOf(ids, 32000), eos = indexOf(ids, 2);
        assertThat(ids[img + 1]).isEqualTo(tok.idOf("\u2581"));
        assertThat(ids[img + 2]).isEqualTo(tok.idOf("<0x0A>"));
        assertThat(ids[eos + 1]).isEqualTo(tok.idOf("\u2581x"));
        assertThat(tok.encode("<image>", false, false)).doesNotContain(32000).isNotEqualTo(tok.encode("<image>", false, true));
        // the GGUF vocabulary parses <s>/</s> only as special text
        Tokenizer gguf = TestTokenizers.LlamaSpm.TOK;
        assertThat(gguf.encode("a</s>", false, true)).endsWith(2);
        assertThat(gguf.encode("a</s>", false, false)).doesNotContain(2);
    }

    @Test
    void endOfGenerationIdsComeFromEosAndTurnMarkers() {
        assertThat(TestTokenizers.Qwen2Full.TOK.endOfGenerationIds()).containsExactlyInAnyOrder(151643, 151645);
        Tokenizer llama3 = TestTokenizers.Llama3.TOK;
        assertThat(llama3.endOfGenerationIds()).contains(128001, llama3.idOf("<|eot_id|>"));
        assertThat(llama3.addBosByDefault()).isTrue();
        assertThat(llama3.encode("hi")[0]).isEqualTo(128000);
        assertThat(TestTokenizers.LlamaSpm.TOK.endOfGenerationIds()).containsExactly(2);
        assertThat(TestTokenizers.Llava15Hf.TOK.endOfGenerationIds()).containsExactly(2);
        assertThat(TestTokenizers.LlavaOvHf.TOK.endOfGenerationIds()).containsExactlyInAnyOrder(8192, 8194);
    }

    @Test
    void encodeChatAddsBosOnlyWhenTheTemplateDidNot() {
        Tokenizer llama3 = TestTokenizers.Llama3.TOK;
        int[] written = llama3.encodeChat("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
        assertThat(written[0]).isEqualTo(128000);
        assertThat(written[1]).isEqualTo(llama3.idOf("<|start_header_id|>"));
        assertThat(llama3.encodeChat("Hi")[0]).isEqualTo(128000);
        Tokenizer llava = TestTokenizers.Llava15Hf.TOK;
        assertThat(llava.encodeChat("USER: Hi ASSISTANT:")).containsExactly(llava.encode("USER: Hi ASSISTANT:"));
        assertThat(TestTokenizers.Qwen2TinyHf.TOK.encodeChat("<|im_start|>user\nHi")).startsWith(8193);
    }

    @Test
    void tokenTextAndIdAreInverse() {
        Tokenizer tok = TestTokenizers.Qwen2TinyHf.TOK;
        assertThat(tok.tokenText(tok.idOf("Ġthe"))).isEqualTo("Ġthe");
        assertThat(tok.idOf("no such token")).isEqualTo(-1);
        assertThat(tok.tokenText(-1)).isNull();
        assertThat(tok.tokenText(tok.vocabSize())).isNull();
        assertThat(tok.vocabSize()).isEqualTo(8195);
        assertThat(tok.tokenType(8193)).isEqualTo(TokenType.CONTROL);
        // ids past the vocabulary (embedding padding rows) decode to nothing
        int[] hi = tok.encode("Hi there", false, false);
        int[] padded = Arrays.copyOf(hi, hi.length + 2);
        padded[hi.length] = 8200;
        padded[hi.length + 1] = 9000;
        assertThat(tok.decode(padded)).isEqualTo("Hi there");
        assertThat(TestTokenizers.Llava15Hf.TOK.vocabSize()).isEqualTo(32002);
    }

    @Test
    void sentencePieceDecodeDropsOnlyTheFirstDummySpace() {
        Tokenizer tok = TestTokenizers.LlamaSpm.TOK;
        int[] ids = tok.encode("Hello  world", true, false);
        assertThat(tok.decode(ids)).isEqualTo("<s> Hello  world");
        assertThat(tok.decode(ids, true)).isEqualTo("Hello  world");
        StreamDecoder d = tok.newStreamDecoder(true);
        StringBuilder sb = new StringBuilder();
        for (int id : Arrays.copyOfRange(ids, 1, ids.length)) sb.append(d.push(id));
        assertThat(sb.append(d.flush()).toString()).isEqualTo("Hello  world");
    }

    @Test
    void streamDecoderHoldsSplitCharacters() {
        Tokenizer tok = TestTokenizers.LlamaSpm.TOK;
        StreamDecoder d = tok.newStreamDecoder();
        // 北 = E5 8C 97 as three byte tokens
        assertThat(d.push(tok.idOf("<0xE5>"))).isEmpty();
        assertThat(d.push(tok.idOf("<0x8C>"))).isEmpty();
        assertThat(d.push(tok.idOf("<0x97>"))).isEqualTo("北");
        assertThat(d.push(tok.idOf("<0xF0>"))).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD");
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        throw new AssertionError(v + " not in " + Arrays.toString(a));
    }
}
