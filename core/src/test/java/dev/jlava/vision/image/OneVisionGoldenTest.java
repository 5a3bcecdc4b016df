package dev.jlava.vision.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against ../shared/golden/llava-ov: the video frame resize/normalisation and case e's anyres crops. */
class OneVisionGoldenTest {
    static final String CKPT = "llava-ov/tiny-llava-ov-hf/";

    @Test
    void videoFramesResizeBitExactly() {
        ImagePreprocessor pre = ImagePreprocessor.fromConfig(SharedData.golden(CKPT + "video_preprocessor_config.json"));
        try (Safetensors st = Safetensors.open(SharedData.golden("llava-ov/video_inputs.safetensors"))) {
            Tensor frames = st.get("frames_uint8"), resized = st.get("resized_uint8");
            for (int i = 0; i < frames.dim(0); i++) {
                RgbImage ours = pre.resizeAndCrop(GzSafetensors.image(frames, i));
                assertThat(ours).as("frame " + i).isEqualTo(GzSafetensors.image(resized, i));
            }
        }
    }

    @Test
    void pixelLookupTableAndFirstPatchRowAreBitExact() {
        ImagePreprocessor pre = ImagePreprocessor.fromConfig(SharedData.golden(CKPT + "video_preprocessor_config.json"));
        try (Safetensors st = Safetensors.open(SharedData.golden("llava-ov/video_inputs.safetensors"))) {
            float[] lut = st.get("pixel_lut").toFloatArray();
            for (int u = 0; u < 256; u++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(Float.floatToRawIntBits(pre.pixelValue(c, u))).as("level " + u + " channel " + c)
                            .isEqualTo(Float.floatToRawIntBits(lut[u * 3 + c]));
                }
            }
            float[][][] pv = pre.pixelValues(GzSafetensors.image(st.get("frames_uint8"), 0));
            float[] rows = st.get("pixel_values_frame0_rows0_13").toFloatArray();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 14; y++) {
                    for (int x = 0; x < 384; x++) {
                        assertThat(pv[c][y][x]).isEqualTo(rows[(c * 14 + y) * 384 + x]);
                    }
                }
            }
        }
    }

    @Test
    void anyResTilingOfTheStillMatchesCaseE() throws Exception {
        JsonNode info = new ObjectMapper().readTree(SharedData.golden("llava-ov/case_e_image_anyres.json").toFile()).get("image");
        ImagePreprocessor pre = ImagePreprocessor.fromConfig(SharedData.golden(CKPT + "preprocessor_config.json"));
        AnyResImage a = pre.anyRes(ImageLoader.load(SharedData.media(info.get("file").asText())));
        assertThat(new int[] {a.bestHeight(), a.bestWidth()}).containsExactly(ints(info.get("best_resolution_hw")));
        assertThat(new int[] {a.resizedHeight(), a.resizedWidth()}).containsExactly(ints(info.get("resized_hw")));
        assertThat(new int[] {a.padTop(), a.padLeft()})
                .containsExactly(info.get("padding_hw").get(0).get(0).asInt(), info.get("padding_hw").get(1).get(0).asInt());
        assertThat(new int[] {a.gridRows(), a.gridCols()}).containsExactly(ints(info.get("grid_hw")));
        assertThat(a.crops()).hasSize(info.get("num_crops").asInt());
        try (Safetensors st = Safetensors.open(SharedData.golden("llava-ov/case_e_image_anyres.safetensors"))) {
            Tensor crops = st.get("crops_uint8");
            for (int i = 0; i < crops.dim(0); i++) {
                assertThat(a.crops().get(i)).as("crop " + i).isEqualTo(GzSafetensors.image(crops, i));
            }
        }
        List<float[][][]> pv = a.pixelValues();
        // the zero padding at the left edge of grid crop 1 normalises to -1
        assertThat(pv.get(1)[0][100][0]).isEqualTo(-1f);
        assertThat(pv.get(1)[2][383][41]).isEqualTo(-1f);
    }

    private static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }
}
