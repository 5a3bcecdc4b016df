package dev.jlava.llava;

import static dev.jlava.llava.GoldenValues.ints;
import static dev.jlava.llava.GoldenValues.maxDiff;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.llm.Sampler;
import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.ReductionPlanParser;
import dev.jlava.reduce.SpatialPooling;
import dev.jlava.tensor.Tensor;
import dev.jlava.vision.image.ImageLoader;
import dev.jlava.vision.image.RgbImage;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The whole LLaVA path (pixels to greedy tokens) against the golden cases, with and without reduction. */
class LlavaPipelineGoldenTest {
    static final Path OV = SharedData.golden("llava-ov");
    static final Path L15 = SharedData.golden("llava15");
    static final ObjectMapper JSON = new ObjectMapper();
    static LlavaModel ov;
    static List<RgbImage> frames;
    static int[] frameIndices;

    @BeforeAll
    static void load() {
        ov = LlavaModel.open(OV.resolve("tiny-llava-ov-hf"));
        try (Safetensors in = Safetensors.open(OV.resolve("video_inputs.safetensors"))) {
            Tensor t = in.get("frames_uint8");
            int f = (int) t.dim(0), h = (int) t.dim(1), w = (int) t.dim(2);
            byte[] all = t.data().toArray(ValueLayout.JAVA_BYTE);
            frames = new ArrayList<>();
            for (int i = 0; i < f; i++) {
                byte[] px = java.util.Arrays.copyOfRange(all, i * h * w * 3, (i + 1) * h * w * 3);
                frames.add(new RgbImage(w, h, px));
            }
            frameIndices = in.get("frame_indices").toIntArray();
        }
    }

    @AfterAll
    static void close() {
        ov.close();
    }

    static LlavaPipeline.Request request(List<RgbImage> fr, int[] idx, boolean video, String q, String plan, int maxTokens) {
        return new LlavaPipeline.Request(fr, idx, video, q, ReductionPlanParser.parse(plan), maxTokens, Sampler.greedy(), false,
                SpatialPooling.Mode.BILINEAR, NewlineMode.ONE_TOKEN, null, null);
    }



    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "case_a_video_noreduce; none",
            "case_b_video_holitom_outer; holitom(r=0.15,tau=0.8)",
            "case_c_video_holitom_outer_inner; holitom(r=0.15,tau=0.8,k=1,mr=0.5)",
            "case_d_video_fastv; fastv(K=1,R=0.5)"})
    void oneVisionVideo(String name, String plan) throws Exception {
        JsonNode j = JSON.readTree(OV.resolve(name + ".json").toFile());
        LlavaPipeline.Result r = LlavaPipeline.run(ov, request(frames, frameIndices, true, "What happens in this video?", plan, 8));
        try (Safetensors g = Safetensors.open(OV.resolve(name + ".safetensors"))) {
            assertThat(r.promptIds()).containsExactly(g.get("input_ids").toIntArray());
            if (g.has("visual_tokens")) {
                assertThat(maxDiff(r.tokens().toFlat(), g.get("visual_tokens").toFloatArray())).as("visual tokens").isLessThanOrEqualTo(2e-5);
            }
            if (g.has("provenance")) {
                long[][] p = r.tokens().provenance();
                long[] exp = g.get("provenance").toLongArray();
                for (int i = 0; i < p.length; i++) {
                    for (int c = 0; c < 6; c++) assertThat(p[i][c]).as("provenance[%d][%d]", i, c).isEqualTo(exp[i * 6 + c]);
                }
            }
            assertThat(maxDiff(r.firstLogits(), g.get("logits_last").toFloatArray())).as("logits_last").isLessThanOrEqualTo(1e-4);
            assertThat(r.generated()).containsExactly(g.get("greedy_ids").toIntArray());
        }
        assertThat(r.visualIn()).isEqualTo(8 * 196);
        if (j.has("outputs") && j.get("outputs").has("new_seq_len")) {
            assertThat(r.rowsPerLayer()[1]).isEqualTo(j.get("outputs").get("new_seq_len").asInt());
        }
    }

    @Test
    void oneVisionAnyResImage() throws Exception {
        RgbImage img = ImageLoader.load(SharedData.media("still_640x360.png"));
        LlavaPipeline.Result r = LlavaPipeline.run(ov, request(List.of(img), new int[] {0}, false, "What is shown in this image?", "none", 8));
        try (Safetensors g = Safetensors.open(OV.resolve("case_e_image_anyres.safetensors"))) {
            assertThat(r.promptIds()).containsExactly(g.get("input_ids").toIntArray());
            assertThat(maxDiff(r.visualEmbeddings(), g.get("visual_tokens").toFloatArray())).as("visual tokens").isLessThanOrEqualTo(2e-5);
            assertThat(maxDiff(r.firstLogits(), g.get("logits_last").toFloatArray())).as("logits_last").isLessThanOrEqualTo(1e-4);
            assertThat(r.generated()).containsExactly(g.get("greedy_ids").toIntArray());
        }
    }

    @ParameterizedTest(name = "{0}.{1}.{2}")
    @CsvSource(delimiter = ';', value = {
            "tiny; still_640x360; none; none",
            "tiny; still_640x360; visionzip_d54_c10; visionzip(dominant=54,contextual=10)",
            "tiny; real_chelsea_451x300; visionzip_d54_c10; visionzip(dominant=54,contextual=10)",
            "tiny; real_chelsea_451x300; pvtp_k1_s1_r0.2; pvtp(k0=1,stride=1,ratio=0.2)",
            "deep; still_640x360; none; none",
            "deep; still_640x360; fastv_k2_r0.5; fastv(K=2,R=0.5)",
            "deep; still_640x360; pvtp_k1_s1_r0.2; pvtp(k0=1,stride=1,ratio=0.2)",
            "deep; still_640x360; st3_vta_t16_g0.25; pvtp(k0=1,stride=1,ratio=0.2)+vta(floor=0.25,horizon=16)"})
    void llava15Image(String model, String image, String method, String plan) throws Exception {
        String name = model + "." + image + "." + method;
        JsonNode j = JSON.readTree(L15.resolve("cases/" + name + ".json").toFile());
        Path dir = L15.resolve(model.equals("tiny") ? "tiny-llava15-hf" : "tiny-llava15-deep-f16-hf");
        try (LlavaModel m = model.equals("tiny") ? LlavaModel.open(dir) : LlavaModel.open(dir, L15.resolve("tiny-llava15-hf"))) {
            RgbImage img = ImageLoader.load(SharedData.media(image + ".png"));
            String question = j.get("prompt").asText().replace("USER: <image>\n", "").replace(" ASSISTANT:", "");
            LlavaPipeline.Result r = LlavaPipeline.run(m, request(List.of(img), new int[] {0}, false, question, plan, j.get("gen_ids").size()));
            int[] expIds = ints(j.get("input_ids"));
            if (method.startsWith("visionzip")) {
                // the JSON keeps the unexpanded 576-placeholder ids; VisionZip's 64 tokens replace the block (83-token prompt)
                int start = j.get("image_token_start").asInt();
                int[] shorter = new int[expIds.length - 576 + 64];
                System.arraycopy(expIds, 0, shorter, 0, start + 64);
                System.arraycopy(expIds, start + 576, shorter, start + 64, expIds.length - start - 576);
                expIds = shorter;
            }
            assertThat(r.promptIds()).containsExactly(expIds);
            try (Safetensors g = Safetensors.open(L15.resolve("cases/" + name + ".safetensors"))) {
                assertThat(maxDiff(r.firstLogits(), g.get("logits_last").toFloatArray())).as("logits_last").isLessThanOrEqualTo(1e-4);
            }
            assertThat(r.generated()).containsExactly(ints(j.get("gen_ids")));
            assertThat(r.rowsPerLayer()).containsExactly(ints(j.get("prefill_layer_token_counts")));
        }
    }
}
