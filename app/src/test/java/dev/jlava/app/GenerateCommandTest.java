package dev.jlava.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against llama.cpp's golden outputs, and its error policy. */
class GenerateCommandTest {
    static final Path LLM = SharedData.golden("llm");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    static JsonNode golden(String model, String prompt) throws Exception {
        return JSON.readTree(LLM.resolve("golden/" + model + ".json").toFile()).get("prompts").get(prompt);
    }

    @Test
    void generatePrintsTheGoldenContinuation() throws Exception {
        JsonNode g = golden("qwen2-tiny-f32", "long");
        Cli r = Cli.run("generate", "--model", LLM.resolve("qwen2-tiny-f32.gguf").toString(),
                "--prompt-file", LLM.resolve("prompts/long.txt").toString(), "--raw", "--greedy", "--max-tokens", "16", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("prompt_ids")).isEqualTo(g.get("prompt_ids"));
        assertThat(o.get("generated_ids")).isEqualTo(g.get("gen_ids"));
        assertThat(o.get("timings").get("decode_tokens_per_second").asDouble()).isPositive();
    }

    @Test
    void generateStreamsTheGoldenText() throws Exception {
        JsonNode g = golden("llama-tiny-f32", "short");
        Cli r = Cli.run("generate", "--model", LLM.resolve("llama-tiny-hf").toString().replace("llama-tiny-hf", "llama-tiny-f32.gguf"),
                "--prompt-file", LLM.resolve("prompts/short.txt").toString(), "--raw", "--greedy", "--max-tokens", "16", "--ignore-eos");
        assertThat(r.exit()).as(r.err()).isZero();
        Cli j = Cli.run("generate", "--model", LLM.resolve("llama-tiny-f32.gguf").toString(),
                "--prompt-file", LLM.resolve("prompts/short.txt").toString(), "--raw", "--greedy", "--max-tokens", "16", "--ignore-eos", "--json");
        JsonNode o = JSON.readTree(j.out());
        assertThat(o.get("generated_ids")).isEqualTo(g.get("gen_ids"));
        assertThat(r.out().strip()).isEqualTo(o.get("text").asText().strip());
    }

    @Test
    void dumpLogitsWritesTheGoldenLayout() throws Exception {
        JsonNode g = golden("qwen2-tiny-f32", "short");
        Path out = tmp.resolve("logits.f32");
        Cli r = Cli.run("generate", "--model", LLM.resolve("qwen2-tiny-hf").toString(),
                "--prompt-file", LLM.resolve("prompts/short.txt").toString(), "--raw", "--greedy", "--max-tokens", "1", "--dump-logits", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        float[] got = floats(Files.readAllBytes(out));
        float[] exp = floats(Files.readAllBytes(LLM.resolve("golden").resolve(g.get("prompt_logits_file").asText())));
        assertThat(got.length).isEqualTo(exp.length);
        double max = 0;
        for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - exp[i]));
        assertThat(max).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void promptIdsWorkWithoutTokenizerFiles() throws Exception {
        JsonNode g = golden("llama-tiny-f32", "long");
        String ids = g.get("prompt_ids").toString().replace("[", "").replace("]", "");
        Cli r = Cli.run("generate", "--model", LLM.resolve("llama-tiny-hf").toString(), "--prompt-ids", ids, "--greedy", "--max-tokens", "16", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.out()).get("generated_ids")).isEqualTo(g.get("gen_ids"));
    }

    @Test
    void tokenizePrintsIdsLikeLlamaTokenize() throws Exception {
        JsonNode g = golden("llama-tiny-f32", "nonascii");
        String text = Files.readString(LLM.resolve("prompts/nonascii.txt"));
        Cli r = Cli.run("tokenize", "--model", LLM.resolve("llama-tiny-f32.gguf").toString(), "--text", text);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.out())).isEqualTo(g.get("prompt_ids"));
        assertThat(r.out().strip()).startsWith("[1, ");
    }

    @Test
    void badInputGivesOneClearMessage() throws Exception {
        Path broken = tmp.resolve("broken.gguf");
        Files.write(broken, Files.readAllBytes(LLM.resolve("qwen2-tiny-f32.gguf")).length > 0
                ? java.util.Arrays.copyOf(Files.readAllBytes(LLM.resolve("qwen2-tiny-f32.gguf")), 100000) : new byte[0]);
        Cli r = Cli.run("generate", "--model", broken.toString(), "--prompt", "hi", "--raw");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("broken.gguf").contains("beyond the end of the file").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);

        Cli bad = Cli.run("generate", "--model", LLM.resolve("qwen2-tiny-f32.gguf").toString(), "--prompt", "hi", "--max-tokens", "-3");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("--max-tokens must be >= 0");

        Cli longPrompt = Cli.run("generate", "--model", LLM.resolve("llama-tiny-f32.gguf").toString(), "--prompt", "hi", "--raw", "--max-tokens", "5000");
        assertThat(longPrompt.exit()).isEqualTo(1);
        assertThat(longPrompt.err()).contains("exceeds the model's context of 4096");

        Cli unknown = Cli.run("generate", "--model", "x", "--prompt", "hi", "--frobnicate");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("--frobnicate");

        Path out = tmp.resolve("never.f32");
        Cli idErr = Cli.run("generate", "--model", LLM.resolve("qwen2-tiny-f32.gguf").toString(), "--prompt-ids", "1,99999", "--dump-logits", out.toString());
        assertThat(idErr.exit()).isEqualTo(1);
        assertThat(idErr.err()).contains("id 99999 is outside the vocabulary");
        assertThat(out).doesNotExist();
    }

    static float[] floats(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.length / 4];
        bb.asFloatBuffer().get(f);
        return f;
    }
}
