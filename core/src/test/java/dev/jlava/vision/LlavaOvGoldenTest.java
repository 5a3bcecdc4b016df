package dev.jlava.vision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.io.WeightStore;
import dev.jlava.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tiny LLaVA-OneVision SigLIP tower and projector against the float64 reference of
 * ../shared/golden/llava-ov (the 8 video frames and case e's 3 anyres crops), starting from the
 * stored resized uint8 pixels and the pixel LUT.
 */
class LlavaOvGoldenTest {
    static final Path DIR = SharedData.golden("llava-ov");
    static WeightStore store;
    static Safetensors inputs, features, caseE;
    static VisionConfig config;
    static VisionTower tower;
    static Projector projector;
    static float[] pixels;

    @BeforeAll
    static void open() {
        Path ckpt = DIR.resolve("tiny-llava-ov-hf");
        store = Safetensors.openCheckpoint(ckpt);
        LlavaVision v = LlavaVision.load(ckpt.resolve("config.json"), store);
        config = v.config();
        tower = v.tower();
        projector = v.projector();
        inputs = Safetensors.open(DIR.resolve("video_inputs.safetensors"));
        features = Safetensors.open(DIR.resolve("video_features.safetensors"));
        caseE = Safetensors.open(DIR.resolve("case_e_image_anyres.safetensors"));
        pixels = GoldenInputs.fromLut(inputs.get("resized_uint8"), inputs.get("pixel_lut"));
    }

    @AfterAll
    static void close() {
        store.close();
        inputs.close();
        features.close();
        caseE.close();
    }

    @Test
    void configMatchesTheCheckpoint() {
        assertThat(config.family()).isEqualTo(VisionConfig.Family.SIGLIP);
        assertThat(config.tokens()).isEqualTo(729);
        assertThat(config.featureTokens()).isEqualTo(729);
        assertThat(config.layersToRun()).isEqualTo(2);
        assertThat(config.activation()).isEqualTo(Activation.GELU_TANH);
        assertThat(config.projectorActivation()).isEqualTo(Activation.GELU_ERF);
        assertThat(LlavaTensorNames.towerPrefix(store)).isEqualTo("vision_tower.vision_model.");
        assertThat(projector.inFeatures()).isEqualTo(32);
        assertThat(projector.outFeatures()).isEqualTo(64);
    }

    @Test
    void pixelLayoutMatchesTheStoredFirstPatchRow() {
        float[] want = inputs.get("pixel_values_frame0_rows0_13").toFloatArray(); // [3][14][384]
        float[] got = new float[want.length];
        for (int c = 0; c < 3; c++) System.arraycopy(pixels, c * 384 * 384, got, c * 14 * 384, 14 * 384);
        assertThat(got).containsExactly(want);
    }

    @Test
    void embeddingsAndFirstLayerOfFrame0() {
        float[] frame0 = Compare.slice(pixels, 0, 3 * 384 * 384);
        VisionTower emb = VisionTower.load(config.withFeatureLayers(0), store, "vision_tower.vision_model.");
        Compare.features("siglip_embeddings_frame0", emb.forward(frame0, 1).features(), features.get("siglip_embeddings_frame0").toFloatArray());
        VisionTower l0 = VisionTower.load(config.withFeatureLayers(1), store, "vision_tower.vision_model.");
        Compare.features("siglip_layer0_out_frame0", l0.forward(frame0, 1).features(), features.get("siglip_layer0_out_frame0").toFloatArray());
    }

    @Test
    void videoFeaturesAttentionScoreAndProjection() {
        VisionOutput out = tower.forward(pixels, 8, VisionRequest.HOLITOM);
        assertThat(out.tokens()).isEqualTo(729);
        assertThat(out.dim()).isEqualTo(32);
        Compare.features("vision_features (8 frames)", out.features(), features.get("vision_features").toFloatArray());
        assertThat(out.scoreLength()).isEqualTo(729);
        Compare.scores("siglip_attn_score (8 frames)", out.attentionScore(), features.get("siglip_attn_score").toFloatArray());
        Compare.features("projected (8 frames)", projector.forward(out.features(), 8 * 729), features.get("projected").toFloatArray());
    }

    @Test
    void projectorAloneOnTheReferenceFeatures() {
        Tensor f = features.get("vision_features");
        Compare.features("projected from reference features", projector.forward(f.toFloatArray(), 8 * 729), features.get("projected").toFloatArray());
    }

    @Test
    void anyresCropsOfCaseE() {
        float[] crops = GoldenInputs.fromLut(caseE.get("crops_uint8"), inputs.get("pixel_lut"));
        VisionOutput out = tower.forward(crops, 3);
        Compare.features("case e vision_features (3 crops)", out.features(), caseE.get("vision_features").toFloatArray());
        Compare.features("case e projected (3 crops)", projector.forward(out.features(), 3 * 729), caseE.get("projected").toFloatArray());
    }
}
