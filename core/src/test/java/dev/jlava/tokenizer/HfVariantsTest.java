package dev.jlava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlava.SharedData;
import dev.jlava.io.Gguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer.json shapes other checkpoints use, written at test time from the reference vocabularies. */
class HfVariantsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /**
     * Llama 3's tokenizer.json (Split regex with \p{N}{1,3}, ByteLevel, ignore_merges, BOS by
     * TemplateProcessing), built from the llama-bpe GGUF vocabulary: the 46 test vectors.
     */
    @Test
    void llama3TokenizerJsonMatchesTheTestVectors() throws IOException {
        try (Gguf g = Gguf.open(SharedData.golden("tokenizer/ggml-vocab-llama-bpe.gguf"));
             JsonGenerator out = JSON.createGenerator(dir.resolve("tokenizer.json").toFile(), com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            String[] tokens = g.getStringArray("tokenizer.ggml.tokens");
            out.writeStartObject();
            out.writeArrayFieldStart("added_tokens");
            for (int id = 128000; id < tokens.length; id++) {
                out.writeStartObject();
                out.writeNumberField("id", id);
                out.writeStringField("content", tokens[id]);
                out.writeBooleanField("special", true);
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeNullField("normalizer");
            out.writeFieldName("pre_tokenizer");
            out.writeTree(JSON.readTree("{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": "
                    + JSON.writeValueAsString(PreTokenizer.LLAMA3_REGEX) + "}, \"behavior\": \"Isolated\", \"invert\": false},"
                    + " {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}]}"));
            out.writeFieldName("post_processor");
            out.writeTree(JSON.readTree("{\"type\": \"Sequence\", \"processors\": [{\"type\": \"ByteLevel\"}, {\"type\": \"TemplateProcessing\","
                    + " \"single\": [{\"SpecialToken\": {\"id\": \"<|begin_of_text|>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],"
                    + " \"special_tokens\": {\"<|begin_of_text|>\": {\"id\": \"<|begin_of_text|>\", \"ids\": [128000], \"tokens\": [\"<|begin_of_text|>\"]}}}]}"));
            out.writeFieldName("decoder");
            out.writeTree(JSON.readTree("{\"type\": \"ByteLevel\"}"));
            out.writeObjectFieldStart("model");
            out.writeStringField("type", "BPE");
            out.writeBooleanField("ignore_merges", true);
            out.writeObjectFieldStart("vocab");
            for (int id = 0; id < 128000; id++) out.writeNumberField(tokens[id], id);
            out.writeEndObject();
            out.writeArrayFieldStart("merges");
            for (String m : g.getStringArray("tokenizer.ggml.merges")) {
                int sp = m.indexOf(' ', 1);
                out.writeStartArray();
                out.writeString(m.substring(0, sp));
                out.writeString(m.substring(sp + 1));
                out.writeEndArray();
            }
            out.writeEndArray();
            out.writeEndObject();
            out.writeEndObject();
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\": \"<|end_of_text|>\"}");
        Tokenizer tok = Tokenizers.fromHfFolder(dir);
        GoldenVocabTest.assertAll(tok, GoldenVocabTest.cases("ggml-vocab-llama-bpe.gguf"));
        assertThat(tok.addBosByDefault()).isTrue();
        assertThat(tok.bosId()).isEqualTo(128000);
        assertThat(tok.endOfGenerationIds()).contains(128001, 128009);
        assertThat(tok.encode("Hello<|eot_id|>")).containsExactly(TestTokenizers.Llama3.TOK.encode("Hello<|eot_id|>"));
    }

    /**
     * Non-legacy Llama 2 files (no normalizer; Metaspace prepend_scheme "first"): the "▁" goes only
     * before the start of the input, not after special tokens (llava15 README, "Open doubts").
     */
    @Test
    void nonLegacyMetaspaceOnlyPrefixesTheStart() throws IOException {
        Path src = SharedData.golden("llava15/tiny-llava15-hf");
        ObjectNode tj = (ObjectNode) JSON.readTree(src.resolve("tokenizer.json").toFile());
        tj.putNull("normalizer");
        tj.set("pre_tokenizer", JSON.readTree("{\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\": \"first\", \"split\": false}"));
        tj.set("decoder", JSON.readTree("{\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Metaspace\", \"replacement\": \"\u2581\","
                + " \"prepend_scheme\": \"first\", \"split\": false}, {\"type\": \"ByteFallback\"}, {\"type\": \"Fuse\"}]}"));
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tj);
        Files.copy(src.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        Tokenizer nonLegacy = Tokenizers.fromHfFolder(dir);
        Tokenizer legacy = TestTokenizers.Llava15Hf.TOK;
        String prompt = "USER: <image>\nWhat is shown in this image? ASSISTANT:";
        int[] ids = nonLegacy.encode(prompt);
        assertThat(ids).startsWith(1, 3148, 1001, 29901, 29871, 32000, 13, 5618);
        assertThat(ids).hasSize(legacy.encode(prompt).length - 1);
        for (String s : new String[] {"Hello world", "北京 ok", "a  b "}) {
            assertThat(nonLegacy.encode(s)).containsExactly(legacy.encode(s));
            assertThat(nonLegacy.decode(nonLegacy.encode(s, false, false))).isEqualTo(s);
        }
        // Metaspace adds no "▁" when the text already starts with a space (the Prepend normalizer does)
        assertThat(legacy.encode(" two")).containsExactly(1, 29871, 1023);
        assertThat(nonLegacy.encode(" two")).containsExactly(1, 1023);
    }

    /** GGUF follows llama.cpp (ASCII-case contractions); tokenizer.json's (?i:...) also folds "ſ" to "s", as Oniguruma. */
    @Test
    void contractionCaseFoldingDiffersOnlyForLongS() {
        PreTokenizer hf = PreTokenizer.regexIsolated(PreTokenizer.QWEN2_REGEX);
        PreTokenizer gguf = PreTokenizer.regexIsolated(PreTokenizer.llamaCppContractions(PreTokenizer.QWEN2_REGEX));
        assertThat(hf.split("it'S x'ſt")).containsExactly("it", "'S", " x", "'ſ", "t");
        assertThat(gguf.split("it'S x'ſt")).containsExactly("it", "'S", " x", "'ſt");
    }

    @Test
    void preTokenizerRegexesSplitAsDocumented() {
        PreTokenizer q = PreTokenizer.regexIsolated(PreTokenizer.QWEN2_REGEX);
        PreTokenizer l = PreTokenizer.regexIsolated(PreTokenizer.LLAMA3_REGEX);
        assertThat(q.split("12345 abc")).containsExactly("1", "2", "3", "4", "5", " abc");
        assertThat(l.split("12345 abc")).containsExactly("123", "45", " abc");
        // \s is Unicode White_Space (NBSP, ideographic space), runs before a word leave its last space to the word
        assertThat(q.split("a\u00a0\u3000  b\n\n c")).containsExactly("a", "\u00a0\u3000 ", " b", "\n\n", " c");
        assertThat(q.split("Hello!!\r\n")).containsExactly("Hello", "!!\r\n");
    }
}
