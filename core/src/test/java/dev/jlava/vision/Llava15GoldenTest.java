package dev.jlava.vision;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.llm.Decoder;
import dev.jlava.llm.DecoderConfig;
import dev.jlava.llm.DecoderWeights;
import dev.jlava.llm.KvCache;
import dev.jlava.llm.TensorNames;
import dev.jlava.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny LLaVA-1.5 CLIP tower (vision_feature_layer -2, "default") and projector against the
 * float64 reference of ../shared/golden/llava15: per image, the selected hidden state with CLS, the
 * CLS attention of that layer (head sum and mean, VisionZip's score) and the projected features;
 * VisionZip's dominant set, contextual assignment (by our key metric) and tokens from the case files.
 * The F16 "deep" checkpoint stores no vision intermediates, so its tower is checked end to end:
 * projected features spliced into the prompt, the decoder's last logits against the golden.
 */
class Llava15GoldenTest {
    static final Path DIR = SharedData.golden("llava15");

    @TempDir
    Path tmp;

    float[] pixelValues(String image) throws Exception {
        try (Safetensors pre = GoldenInputs.openGz(DIR.resolve("preprocessing/" + image + "_png.safetensors.gz"), tmp)) {
            return pre.get("clip336_pixel_values").toFloatArray();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"still_640x360", "real_chelsea_451x300"})
    void towerClsAttentionAndProjector(String image) throws Exception {
        Path ckpt = DIR.resolve("tiny-llava15-hf");
        VisionConfig c = VisionConfig.fromLlavaConfig(ckpt.resolve("config.json"));
        assertThat(c.family()).isEqualTo(VisionConfig.Family.CLIP);
        assertThat(c.hiddenStateIndices()).containsExactly(2);
        assertThat(c.layersToRun()).isEqualTo(2);
        assertThat(c.featureTokens()).isEqualTo(576);
        float[] px = pixelValues(image);
        try (var store = Safetensors.openCheckpoint(ckpt);
             Safetensors want = Safetensors.open(DIR.resolve("cases/tiny." + image + ".inputs.safetensors"))) {
            VisionTower tower = VisionTower.load(c, store, LlavaTensorNames.towerPrefix(store));
            Projector projector = Projector.load(c, store, LlavaTensorNames.projectorPrefix(store));

            VisionOutput all = tower.forward(px, 1, VisionRequest.VISIONZIP);
            assertThat(all.tokens()).isEqualTo(577);
            Compare.features(image + " vision_hidden_selected", all.features(), want.get("vision_hidden_selected").toFloatArray());
            assertThat(all.scoreLength()).isEqualTo(576);
            Compare.scores(image + " vision_cls_attn_head_sum", all.attentionScore(), want.get("vision_cls_attn_head_sum").toFloatArray());
            float[] mean = all.attentionScore().clone();
            for (int i = 0; i < mean.length; i++) mean[i] /= c.heads();
            Compare.scores(image + " vision_cls_attn_head_mean", mean, want.get("vision_cls_attn_head_mean").toFloatArray());

            // VisionZip's decision: CLS + the top 53 patches by the head-summed CLS attention
            JsonNode vz = new ObjectMapper().readTree(DIR.resolve("cases/tiny." + image + ".visionzip_d54_c10.json").toFile()).get("visionzip");
            Integer[] order = new Integer[576];
            for (int i = 0; i < order.length; i++) order[i] = i;
            float[] sc = all.attentionScore();
            java.util.Arrays.sort(order, (a, b) -> sc[a] != sc[b] ? Float.compare(sc[b], sc[a]) : Integer.compare(a, b));
            java.util.TreeSet<Integer> dominant = new java.util.TreeSet<>();
            dominant.add(0);
            for (int i = 0; i < 53; i++) dominant.add(order[i] + 1);
            java.util.List<Integer> wantDominant = new java.util.ArrayList<>();
            vz.get("dominant_indices").forEach(n -> wantDominant.add(n.asInt()));
            assertThat(dominant).containsExactlyElementsOf(wantDominant);

            // VisionZip's contextual step on our key metric: the golden's assignment and tokens
            float[] metric = all.keyMetric(); // [576 patches][16], sequence index s is patch s - 1
            assertThat(all.keyTokens()).isEqualTo(576);
            int hd = all.keyDim();
            int[] targets = ints(vz.get("contextual_target_indices"));
            int[] merged = ints(vz.get("contextual_merged_indices"));
            int[] assignment = ints(vz.get("contextual_assignment"));
            int[] gotAssignment = new int[merged.length];
            for (int i = 0; i < merged.length; i++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int tg = 0; tg < targets.length; tg++) {
                    double cos = cosine(metric, (merged[i] - 1) * hd, (targets[tg] - 1) * hd, hd);
                    if (cos > best) {
                        best = cos;
                        gotAssignment[i] = tg;
                    }
                }
            }
            assertThat(gotAssignment).containsExactly(assignment);
            float[] h = all.features(); // [577][32], CLS first
            float[] tokens = new float[64 * 32];
            for (int i = 0; i < 54; i++) System.arraycopy(h, wantDominant.get(i) * 32, tokens, i * 32, 32);
            for (int tg = 0; tg < targets.length; tg++) {
                double[] acc = new double[32];
                int n = 0;
                for (int i = 0; i < merged.length; i++) {
                    if (assignment[i] != tg) continue;
                    n++;
                    for (int e = 0; e < 32; e++) acc[e] += h[merged[i] * 32 + e];
                }
                for (int e = 0; e < 32; e++) tokens[(54 + tg) * 32 + e] = (float) (h[targets[tg] * 32 + e] + acc[e] / Math.max(1, n));
            }
            try (Safetensors vzs = Safetensors.open(DIR.resolve("cases/tiny." + image + ".visionzip_d54_c10.safetensors"))) {
                Compare.features(image + " visionzip_tokens from our hidden states and key metric", tokens, vzs.get("visionzip_tokens").toFloatArray());
            }

            VisionOutput def = tower.forward(px, 1);
            assertThat(def.tokens()).isEqualTo(576);
            assertThat(def.features()).containsExactly(Compare.slice(all.features(), 32, 576 * 32));
            Compare.features(image + " projected_features", projector.forward(def.features(), 576), want.get("projected_features").toFloatArray());
        }
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static double cosine(float[] m, int a, int b, int n) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < n; i++) {
            ab += (double) m[a + i] * m[b + i];
            aa += (double) m[a + i] * m[a + i];
            bb += (double) m[b + i] * m[b + i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    /** The last prompt logits with the image block replaced by the projected features, as the golden case "none". */
    static float[] logitsWithImage(Path ckpt, float[] px, JsonNode caseJson, String lmPrefix, String lmHead) {
        VisionConfig c = VisionConfig.fromLlavaConfig(ckpt.resolve("config.json"));
        try (var store = Safetensors.openCheckpoint(ckpt)) {
            VisionTower tower = VisionTower.load(c, store, LlavaTensorNames.towerPrefix(store));
            Projector projector = Projector.load(c, store, LlavaTensorNames.projectorPrefix(store));
            float[] visual = projector.forward(tower.forward(px, 1).features(), 576);

            JsonNode root;
            try {
                root = new ObjectMapper().readTree(ckpt.resolve("config.json").toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            DecoderConfig dc = DecoderConfig.fromHfConfig(ckpt.resolve("config.json"), root.get("text_config"));
            Decoder dec = new Decoder(dc, DecoderWeights.load(dc, store, TensorNames.hf(lmPrefix, lmHead)));
            JsonNode idsNode = caseJson.get("input_ids");
            int[] ids = new int[idsNode.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = idsNode.get(i).asInt();
            int start = caseJson.get("image_token_start").asInt();
            float[] x = dec.embed(ids);
            System.arraycopy(visual, 0, x, start * dc.hidden(), visual.length);
            int[] pos = new int[ids.length];
            for (int i = 0; i < pos.length; i++) pos[i] = i;
            KvCache cache = dec.newCache();
            return dec.forward(x, ids.length, pos, cache, Decoder.Options.LAST_LOGITS).lastLogits(dc.vocab());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "deep"})
    void projectedFeaturesDriveTheDecoderToTheGoldenLogits(String model) throws Exception {
        Path ckpt = DIR.resolve(model.equals("tiny") ? "tiny-llava15-hf" : "tiny-llava15-deep-f16-hf");
        if (model.equals("deep")) {
            try (var store = Safetensors.openCheckpoint(ckpt)) {
                assertThat(store.get("vision_tower.vision_model.encoder.layers.0.self_attn.q_proj.weight").dtype()).isEqualTo(DType.F16);
            }
        }
        String stem = model + ".still_640x360.none";
        JsonNode cj = new ObjectMapper().readTree(DIR.resolve("cases/" + stem + ".json").toFile());
        float[] got = logitsWithImage(ckpt, pixelValues("still_640x360"), cj, "language_model.model.", "language_model.lm_head.weight");
        try (Safetensors want = Safetensors.open(DIR.resolve("cases/" + stem + ".safetensors"))) {
            float[] w = want.get("logits_last").toFloatArray();
            double d = Compare.maxAbsDiff(got, w);
            System.out.printf("%s logits_last via tower+projector+decoder: max abs diff %.3g%n", stem, d);
            assertThat(d).isLessThanOrEqualTo(model.equals("deep") ? 2e-4 : 1e-4);
        }
    }
}
