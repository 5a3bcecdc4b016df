package dev.jlava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** llama.cpp's test-tokenizer-0 vectors (Hugging Face reference ids): all 46 strings, no BOS, no special parsing. */
class GoldenVocabTest {

    record Case(String text, int[] ids) {}

    static List<Case> cases(String vocabName) throws IOException {
        Path dir = SharedData.golden("tokenizer");
        String inp = Files.readString(dir.resolve(vocabName + ".inp"), StandardCharsets.UTF_8);
        String sep = "\n__ggml_vocab_test__\n";
        List<String> texts = new ArrayList<>();
        for (int pos = 0; pos < inp.length(); ) {
            int next = inp.indexOf(sep, pos);
            if (next < 0) {
                texts.add(inp.substring(pos));
                break;
            }
            texts.add(inp.substring(pos, next));
            pos = next + sep.length();
        }
        String out = Files.readString(dir.resolve(vocabName + ".out"), StandardCharsets.US_ASCII);
        String[] lines = out.split("\n", -1);
        assertThat(lines[lines.length - 1]).isEmpty();
        assertThat(texts).hasSize(46);
        assertThat(lines.length - 1).isEqualTo(46);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = Arrays.stream(lines[i].trim().split(" ")).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(texts.get(i), ids));
        }
        return cases;
    }

    /** Every string gives exactly the expected ids (encode without BOS, without special-token parsing). */
    static void assertAll(Tokenizer tok, List<Case> cases) {
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            int[] got = tok.encode(c.text(), false, false);
            if (!Arrays.equals(got, c.ids())) {
                failures.add("'" + c.text() + "': expected " + Arrays.toString(c.ids()) + " got " + Arrays.toString(got));
            }
        }
        assertThat(failures).as(tok.toString()).isEmpty();
    }

    @Test
    void qwen2() throws IOException {
        assertAll(TestTokenizers.Qwen2Full.TOK, cases("ggml-vocab-qwen2.gguf"));
    }

    @Test
    void llama3() throws IOException {
        assertAll(TestTokenizers.Llama3.TOK, cases("ggml-vocab-llama-bpe.gguf"));
    }

    @Test
    void llamaSentencePiece() throws IOException {
        assertAll(TestTokenizers.LlamaSpm.TOK, cases("ggml-vocab-llama-spm.gguf"));
    }
}
