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
import dev.jlava.reduce.ReductionPlanParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder side of the LLaVA-1.5 golden cases (2-layer F32 checkpoint) from
 * the stored projector output (the 4-layer F16 model's cases need its own vision tower: pipeline tests): prompt assembly, FastV and ST^3 PVTP inside prefill, VTA eviction
 * per decode step, and the KV entries every layer keeps.
 */
class Llava15DecoderGoldenTest {
    static final Path L15 = SharedData.golden("llava15");

    @ParameterizedTest(name = "{0}.{1}.{2}")
    @CsvSource(delimiter = ';', value = {
            "tiny; still_640x360; none; none",
            "tiny; still_640x360; fastv_k1_r0.5; fastv(K=1,R=0.5)",
            "tiny; still_640x360; pvtp_k1_s1_r0.2; pvtp(k0=1,stride=1,ratio=0.2)",
            "tiny; still_640x360; st3_vta_t16_g0.25; pvtp(k0=1,stride=1,ratio=0.2)+vta(floor=0.25,horizon=16)",
            "tiny; still_640x360; st3_vta_t128_g0.25; pvtp(k0=1,stride=1,ratio=0.2)+vta(floor=0.25,horizon=128)",
            "tiny; real_chelsea_451x300; none; none",
            "tiny; real_chelsea_451x300; fastv_k1_r0.5; fastv(K=1,R=0.5)",
            "tiny; real_chelsea_451x300; st3_vta_t16_g0.25; pvtp(k0=1,stride=1,ratio=0.2)+vta(floor=0.25,horizon=16)"})
    void decoderMatchesTheGoldenCase(String model, String image, String method, String plan) throws Exception {
        String name = model + "." + image + "." + method;
        JsonNode j = new ObjectMapper().readTree(L15.resolve("cases/" + name + ".json").toFile());
        Path ckpt = L15.resolve("tiny-llava15-hf");
        try (LlavaCheckpoint ck = LlavaCheckpoint.open(ckpt);
             Safetensors in = Safetensors.open(L15.resolve("cases/" + model + "." + image + ".inputs.safetensors"));
             Safetensors g = Safetensors.open(L15.resolve("cases/" + name + ".safetensors"))) {
            Decoder dec = ck.decoder();
            int[] ids = ints(j.get("input_ids"));
            float[] proj = in.get("projected_features").toFloatArray();
            int start = j.get("image_token_start").asInt();
            int d = dec.config().hidden();
            float[] x = dec.embed(ids);
            int nVis = proj.length / d;
            int[] vpos = new int[nVis];
            for (int i = 0; i < nVis; i++) {
                assertThat(ids[start + i]).isEqualTo(ck.config().imageTokenId());
                System.arraycopy(proj, i * d, x, (start + i) * d, d);
                vpos[i] = start + i;
            }
            int[] pos = new int[ids.length];
            Arrays.setAll(pos, i -> i);
            DecoderStages stages = new DecoderStages(ReductionPlanParser.parse(plan), dec.config().layers(), vpos, new boolean[nVis]);
            List<int[][]> visualKeptPerStep = new ArrayList<>();
            Generation.DecodeHook record = new Generation.DecodeHook() {
                @Override public Decoder.Options optionsForStep(int step) { return Decoder.Options.LAST_LOGITS; }

                @Override public void afterStep(int step, KvCache cache) {
                    // visual entries of every layer after each step
                    int[][] perLayer = new int[cache.layerCount()][];
                    for (int l = 0; l < perLayer.length; l++) perLayer[l] = visualPositions(cache.layer(l), start, nVis);
                    visualKeptPerStep.add(perLayer);
                }
            };
            int nGen = j.get("gen_ids").size();
            Generation.Output out = Generation.run(dec, x, ids.length, pos, Decoder.Options.LAST_LOGITS.withHook(stages.prefillHook()),
                    new Generation.Settings(nGen, Sampler.greedy(), Set.of(), stages.decodeHook(record)), null);

            assertThat(maxDiff(out.firstLogits(), g.get("logits_last").toFloatArray())).as("logits_last").isLessThanOrEqualTo(1e-4);
            assertThat(out.generated()).as("greedy ids").containsExactly(ints(j.get("gen_ids")));
            assertThat(stages.rowsPerLayer()).as("tokens per layer").containsExactly(ints(j.get("prefill_layer_token_counts")));
            int[] finalPos = ints(j.get("final_positions_kept"));
            KvCache cache = out.cache();
            int last = cache.layerCount() - 1;
            if (j.has("vta")) {
                JsonNode budgets = j.get("vta").get("budgets");
                JsonNode log = j.get("decode_log");
                // afterStep(t) sees the caches after step t's eviction: B_l(t) entries, the golden set.
                // (Generation feeds 7 of the 8 tokens; the reference also fed the 8th.)
                assertThat(visualKeptPerStep).hasSize(nGen);
                for (int t = 1; t < visualKeptPerStep.size(); t++) {
                    for (int l = 0; l < cache.layerCount(); l++) {
                        JsonNode entry = log.get(t - 1).get("layers").get(l);
                        assertThat(visualKeptPerStep.get(t)[l]).as("layer %d visual entries after step %d", l, t)
                                .hasSize(budgets.get(t - 1).get(l).asInt())
                                .containsExactly(ints(entry.get("visual_kept_indices")));
                    }
                }
            } else {
                assertThat(Arrays.copyOf(cache.layer(last).positions(), finalPos.length)).as("last layer's prompt entries").containsExactly(finalPos);
            }
        }
    }

    static int[] visualPositions(KvCache.Layer kv, int start, int n) {
        return Arrays.stream(kv.positions()).filter(p -> p >= start && p < start + n).toArray();
    }


}
