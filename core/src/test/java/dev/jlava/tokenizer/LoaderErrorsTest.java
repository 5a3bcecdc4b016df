package dev.jlava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.io.Gguf;
import dev.jlava.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken or unsupported tokenizer files give one ModelFileException naming the file and the field. */
class LoaderErrorsTest {
    @TempDir
    Path dir;

    private void tokenizerJson(String json) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    private static final String VOCAB = "{\"a\": 0, \"b\": 1, \"ab\": 2}";

    @Test
    void missingFolderAndMissingFiles() throws IOException {
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir.resolve("nope")))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("nope").hasMessageContaining("not a directory");
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("tokenizer.json").hasMessageContaining("vocab.json");
        Files.writeString(dir.resolve("tokenizer.model"), "x");
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir)).isInstanceOf(ModelFileException.class).hasMessageContaining("tokenizer.model");
    }

    @Test
    void brokenJson() throws IOException {
        tokenizerJson("{\"model\": ");
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("tokenizer.json").hasMessageContaining("cannot read JSON");
    }

    @Test
    void unsupportedOrMissingFields() throws IOException {
        tokenizerJson("{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir)).hasMessageContaining("tokenizer.json").hasMessageContaining("'model.type'");
        tokenizerJson("{\"model\": {\"type\": \"BPE\", \"merges\": []}}");
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir)).hasMessageContaining("'model.vocab' is missing");
        tokenizerJson("{\"model\": {\"type\": \"BPE\", \"vocab\": " + VOCAB + ", \"merges\": [\"a c\"]}}");
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir)).hasMessageContaining("'model.merges'").hasMessageContaining("'c'");
        tokenizerJson("{\"model\": {\"type\": \"BPE\", \"vocab\": " + VOCAB + ", \"merges\": [[\"a\", \"b\"]]},"
                + " \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, \"behavior\": \"Isolated\"}}");
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir)).hasMessageContaining("'pre_tokenizer.pattern'");
        tokenizerJson("{\"model\": {\"type\": \"BPE\", \"vocab\": " + VOCAB + ", \"merges\": []}, \"normalizer\": {\"type\": \"BertNormalizer\"}}");
        assertThatThrownBy(() -> Tokenizers.fromHfFolder(dir)).hasMessageContaining("'normalizer.type'").hasMessageContaining("BertNormalizer");
    }

    @Test
    void minimalTokenizerJsonWorksWithPairMerges() throws IOException {
        tokenizerJson("{\"model\": {\"type\": \"BPE\", \"vocab\": " + VOCAB + ", \"merges\": [[\"a\", \"b\"]]}}");
        assertThat(Tokenizers.fromHfFolder(dir).encode("abba", false, false)).containsExactly(2, 1, 0);
    }

    private TinyGguf byteLevelVocab(String pre, List<String> extraTokens, String[] merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteLevel.charOf(b)));
        tokens.addAll(extraTokens);
        return new TinyGguf().put("tokenizer.ggml.model", "gpt2").put("tokenizer.ggml.pre", pre)
                .put("tokenizer.ggml.tokens", tokens.toArray(String[]::new)).put("tokenizer.ggml.merges", merges);
    }

    private Tokenizer load(TinyGguf g) throws IOException {
        try (Gguf gguf = Gguf.open(g.write(dir.resolve("t.gguf")))) {
            return Tokenizers.fromGguf(gguf);
        }
    }

    @Test
    void ggufErrorsNameTheKey() {
        assertThatThrownBy(() -> load(new TinyGguf().put("tokenizer.ggml.model", "bert").put("tokenizer.ggml.tokens", new String[] {"a"})))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("t.gguf").hasMessageContaining("tokenizer.ggml.model").hasMessageContaining("bert");
        assertThatThrownBy(() -> load(new TinyGguf().put("tokenizer.ggml.model", "gpt2")))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("tokenizer.ggml.tokens");
        assertThatThrownBy(() -> load(new TinyGguf().put("tokenizer.ggml.model", "llama").put("tokenizer.ggml.tokens", new String[] {"a", "b"})
                .put("tokenizer.ggml.token_type", new int[] {1})))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("tokenizer.ggml.token_type");
        assertThatThrownBy(() -> load(byteLevelVocab("qwen2", List.of("ab"), new String[] {"a x"})))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("tokenizer.ggml.merges").hasMessageContaining("'ax'");
        assertThatThrownBy(() -> load(byteLevelVocab("no-such-pre", List.of(), new String[0])))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("tokenizer.ggml.pre").hasMessageContaining("no-such-pre");
    }

    /** llama-bpe takes a pre-token that is itself a token whole (llama.cpp's ignore_merges); qwen2 merges it. */
    @Test
    void ignoreMergesOnlyForLlama3() throws IOException {
        String[] merges = {"a b"};
        Tokenizer qwen = load(byteLevelVocab("qwen2", List.of("ab", "abc"), merges));
        Tokenizer llama3 = load(byteLevelVocab("llama-bpe", List.of("ab", "abc"), merges));
        int ab = 256, abc = 257;
        assertThat(qwen.encode("abc", false, false)).containsExactly(ab, qwen.idOf("c"));
        assertThat(llama3.encode("abc", false, false)).containsExactly(abc);
        assertThat(qwen.addBosByDefault()).isFalse();
        assertThat(llama3.addBosByDefault()).isTrue();
    }
}
