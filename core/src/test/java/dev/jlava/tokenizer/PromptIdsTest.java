package dev.jlava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.Gguf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prompt ids llama.cpp fed to the tiny models (../shared/golden/llm/golden/*.json), from the
 * GGUF vocabularies and from the Hugging Face tokenizer files; and the llava-1.5 / llava-ov prompt ids.
 */
class PromptIdsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> PROMPTS = List.of("short", "long", "nonascii");

    static String prompt(String name) throws IOException {
        return Files.readString(SharedData.golden("llm/prompts/" + name + ".txt"), StandardCharsets.UTF_8);
    }

    static int[] goldenIds(String model, String prompt) throws IOException {
        JsonNode j = JSON.readTree(SharedData.golden("llm/golden/" + model + ".json").toFile());
        return ids(j.path("prompts").path(prompt).path("prompt_ids"));
    }

    static int[] ids(JsonNode array) {
        assertThat(array.isArray()).isTrue();
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    static void assertPrompts(Tokenizer tok, String goldenModel) throws IOException {
        for (String p : PROMPTS) {
            assertThat(tok.encode(prompt(p))).as(p + " with " + tok).containsExactly(goldenIds(goldenModel, p));
        }
    }

    @Test
    void qwen2TokenizerJson() throws IOException {
        Tokenizer tok = Tokenizers.fromHfFolder(SharedData.golden("llm/qwen2-tiny-hf"));
        assertThat(tok.addBosByDefault()).isFalse();
        assertThat(tok.eosId()).isEqualTo(8192);
        assertThat(tok.endOfGenerationIds()).contains(8192, 8194);
        assertPrompts(tok, "qwen2-tiny-f32");
    }

    @Test
    void qwen2VocabJsonAndMerges() throws IOException {
        Path dir = SharedData.golden("llm/qwen2-tiny-hf");
        Tokenizer tok = HfTokenizerLoader.fromVocabMerges(dir.resolve("vocab.json"), dir.resolve("merges.txt"),
                HfTokenizerLoader.read(dir.resolve("tokenizer_config.json")), dir);
        assertPrompts(tok, "qwen2-tiny-f32");
        assertThat(tok.encode("<|im_start|>user", false, true)).containsExactly(8193, 872);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny-f32", "qwen2-tiny-f16", "qwen2-tiny-q8_0", "llama-tiny-f32"})
    void ggufVocab(String model) throws IOException {
        try (Gguf g = Gguf.open(SharedData.golden("llm/" + model + ".gguf"))) {
            Tokenizer tok = Tokenizers.fromGguf(g);
            JsonNode j = JSON.readTree(SharedData.golden("llm/golden/" + model + ".json").toFile());
            assertThat(tok.addBosByDefault()).isEqualTo(j.path("add_bos").asBoolean());
            assertThat(tok.bosId()).isEqualTo(j.path("bos_id").asInt());
            assertThat(tok.eosId()).isEqualTo(j.path("eos_id").asInt());
            assertPrompts(tok, model);
        }
    }

    /** llava-1.5's tokenizer.json is Llama 2's vocabulary: same ids as the GGUF SentencePiece tokenizer. */
    @Test
    void llava15TokenizerJsonMatchesLlamaGoldens() throws IOException {
        Tokenizer tok = Tokenizers.fromHfFolder(SharedData.golden("llava15/tiny-llava15-hf"));
        assertThat(tok.addBosByDefault()).isTrue();
        assertThat(tok.bosId()).isEqualTo(1);
        assertThat(tok.eosId()).isEqualTo(2);
        assertPrompts(tok, "llama-tiny-f32");
        GoldenVocabTest.assertAll(tok, GoldenVocabTest.cases("ggml-vocab-llama-spm.gguf"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny.still_640x360.none", "tiny.real_chelsea_451x300.none"})
    void llava15CasePromptIds(String caseName) throws IOException {
        JsonNode c = JSON.readTree(SharedData.golden("llava15/cases/" + caseName + ".json").toFile());
        Tokenizer tok = Tokenizers.fromHfFolder(SharedData.golden("llava15/tiny-llava15-hf"));
        assertThat(tok.encode(c.path("prompt").asText())).containsExactly(ids(c.path("prompt_ids_unexpanded")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"case_a_video_noreduce", "case_e_image_anyres"})
    void llavaOvPromptIds(String caseName) throws IOException {
        JsonNode p = JSON.readTree(SharedData.golden("llava-ov/" + caseName + ".json").toFile()).path("prompt");
        Tokenizer tok = Tokenizers.fromHfFolder(SharedData.golden("llava-ov/tiny-llava-ov-hf"));
        int[] got = tok.encode(p.path("prompt_text").asText());
        int placeholder = p.path("placeholder_id").asInt();
        assertThat(tok.idOf(p.path("placeholder").asText())).isEqualTo(placeholder);
        int at = p.path("visual_start").asInt();
        assertThat(got[at]).isEqualTo(placeholder);
        assertThat(got).hasSize(p.path("prompt_length").asInt() - p.path("placeholder_count").asInt() + 1);
        if (p.has("text_ids_before_visual")) {
            assertThat(java.util.Arrays.copyOfRange(got, 0, at)).containsExactly(ids(p.path("text_ids_before_visual")));
            assertThat(java.util.Arrays.copyOfRange(got, at + 1, got.length)).containsExactly(ids(p.path("text_ids_after_visual")));
        }
    }
}
