package dev.jlava.llava;

import static dev.jlava.llava.GoldenValues.ints;
import static dev.jlava.llava.GoldenValues.maxDiff;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.llm.Decoder;
import dev.jlava.llm.Generation;
import dev.jlava.llm.KvCache;
import dev.jlava.llm.Sampler;
import dev.jlava.reduce.DecoderStages;
import dev.jlava.reduce.ReductionPlan;
import dev.jlava.reduce.ReductionPlanParser;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder side of the LLaVA-OneVision golden cases: given the golden visual tokens and
 * prompt ids, the prompt assembly, the in-decoder stages (HoliTom inner merge, FastV) through the
 * generic decoder hooks, the pruned KV caches, and the greedy decode.
 */
class OneVisionDecoderGoldenTest {
    static final Path OV = SharedData.golden("llava-ov");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ';', value = {
            "case_a_video_noreduce; none",
            "case_b_video_holitom_outer; none",
            "case_c_video_holitom_outer_inner; holitom(outer=0,k=1,mr=0.5)",
            "case_d_video_fastv; fastv(K=1,R=0.5)"})
    void decoderMatchesTheGoldenCase(String name, String planText) throws Exception {
        JsonNode j = new ObjectMapper().readTree(OV.resolve(name + ".json").toFile());
        try (LlavaCheckpoint ck = LlavaCheckpoint.open(OV.resolve("tiny-llava-ov-hf"));
             Safetensors g = Safetensors.open(OV.resolve(name + ".safetensors"))) {
            Decoder dec = ck.decoder();
            int vocab = dec.config().vocab();
            int[] ids = g.get("input_ids").toIntArray();
            float[] visual;
            if (g.has("visual_tokens")) {
                visual = g.get("visual_tokens").toFloatArray();
            } else { // case d prunes case a's prompt
                try (Safetensors a = Safetensors.open(OV.resolve("case_a_video_noreduce.safetensors"))) {
                    visual = a.get("visual_tokens").toFloatArray();
                }
            }
            int start = j.get("prompt").get("visual_start").asInt();
            int len = j.get("prompt").get("visual_length").asInt();
            int placeholder = j.get("prompt").get("placeholder_id").asInt();
            float[] x = dec.embed(ids);
            int d = dec.config().hidden();
            int[] vpos = new int[len];
            boolean[] nl = new boolean[len];
            for (int i = 0; i < len; i++) {
                assertThat(ids[start + i]).isEqualTo(placeholder);
                System.arraycopy(visual, i * d, x, (start + i) * d, d);
                vpos[i] = start + i;
            }
            nl[len - 1] = true; // one image_newline after the last frame
            int[] pos = new int[ids.length];
            for (int i = 0; i < pos.length; i++) pos[i] = i;

            ReductionPlan plan = ReductionPlanParser.parse(planText);
            DecoderStages stages = new DecoderStages(plan, dec.config().layers(), vpos, nl);
            Generation.Output out = Generation.run(dec, x, ids.length,
                    pos, Decoder.Options.LAST_LOGITS.withHook(stages.prefillHook()),
                    new Generation.Settings(8, Sampler.greedy(), Set.of(), stages.decodeHook(Generation.DecodeHook.NONE)), null);

            float[] expLast = g.get("logits_last").toFloatArray();
            assertThat(maxDiff(out.firstLogits(), expLast)).as("logits_last").isLessThanOrEqualTo(1e-4);
            assertThat(out.generated()).containsExactly(g.get("greedy_ids").toIntArray());
            JsonNode o = j.get("outputs");
            KvCache cache = out.cache();
            if (o != null && o.has("kv_cache_lengths_after_prefill")) {
                for (int l = 0; l < cache.layerCount(); l++) {
                    // after 7 decode steps each layer holds 7 more entries than after prefill
                    assertThat(cache.layer(l).length()).isEqualTo(o.get("kv_cache_lengths_after_prefill").get(l).asInt() + 7);
                }
                int[] keep = g.get("keep_indices").toIntArray();
                int[] got = cache.layer(cache.layerCount() - 1).positions();
                assertThat(java.util.Arrays.copyOf(got, keep.length)).containsExactly(keep);
                assertThat(stages.rowsPerLayer()[1]).isEqualTo(keep.length);
            }
        }
    }

}
