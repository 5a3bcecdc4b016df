package dev.jlava.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits of every prompt position and of the greedy decode steps against llama.cpp (b4747),
 * for the tiny Qwen2 (F32, F16, Q8_0 GGUF; HF folder) and LLaMA (F32 GGUF; HF folder) models.
 */
class GoldenLogitsTest {
    static final Path LLM = SharedData.golden("llm");

    /** checkpoint path, golden json, tolerance. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String prompt : List.of("short", "long", "nonascii")) {
            out.add(Arguments.of("qwen2-tiny-f32.gguf", "qwen2-tiny-f32", prompt, 1e-4));
            out.add(Arguments.of("qwen2-tiny-hf", "qwen2-tiny-f32", prompt, 1e-4));
            out.add(Arguments.of("qwen2-tiny-f16.gguf", "qwen2-tiny-f16", prompt, 1e-4));
            out.add(Arguments.of("qwen2-tiny-q8_0.gguf", "qwen2-tiny-q8_0", prompt, 1e-4));
            out.add(Arguments.of("llama-tiny-f32.gguf", "llama-tiny-f32", prompt, 1e-4));
            out.add(Arguments.of("llama-tiny-hf", "llama-tiny-f32", prompt, 1e-4));
        }
        return out.stream();
    }

    static float[] readF32(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void promptAndGreedyLogitsMatchLlamaCpp(String model, String golden, String prompt, double tol) throws IOException {
        JsonNode g = new ObjectMapper().readTree(LLM.resolve("golden/" + golden + ".json").toFile()).get("prompts").get(prompt);
        int[] ids = ints(g.get("prompt_ids"));
        int[] genIds = ints(g.get("gen_ids"));
        float[] expected = readF32(LLM.resolve("golden").resolve(g.get("prompt_logits_file").asText()));
        try (DecoderCheckpoint ck = DecoderCheckpoint.open(LLM.resolve(model))) {
            Decoder dec = ck.decoder();
            int vocab = dec.config().vocab();
            assertThat(expected.length).isEqualTo(ids.length * vocab);
            KvCache cache = dec.newCache();
            int[] pos = new int[ids.length];
            for (int i = 0; i < pos.length; i++) pos[i] = i;
            Decoder.Result r = dec.forward(ids, pos, cache, Decoder.Options.ALL_LOGITS);
            assertThat(r.rows()).isEqualTo(ids.length);
            assertThat(maxAbsDiff(r.logits(), 0, expected, 0, expected.length)).as("prompt logits").isLessThanOrEqualTo(tol);

            float[] genExpected = g.has("gen_logits_file") ? readF32(LLM.resolve("golden").resolve(g.get("gen_logits_file").asText())) : null;
            int next = argmax(r.logits(), (ids.length - 1) * vocab, vocab);
            int[] got = new int[genIds.length];
            for (int s = 0; s < genIds.length; s++) {
                got[s] = next;
                Decoder.Result step = dec.forward(new int[] {next}, new int[] {ids.length + s}, cache, Decoder.Options.LAST_LOGITS);
                if (genExpected != null) {
                    assertThat(maxAbsDiff(step.logits(), 0, genExpected, s * vocab, vocab)).as("decode step %d logits", s).isLessThanOrEqualTo(tol);
                }
                next = argmax(step.logits(), 0, vocab);
            }
            assertThat(got).as("greedy tokens").containsExactly(genIds);
        }
    }

    static double maxAbsDiff(float[] a, int ao, float[] b, int bo, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, Math.abs(a[ao + i] - b[bo + i]));
        return m;
    }
}
