package dev.jlava.vision.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Against ../shared/golden/llava15/preprocessing (Pillow 9.4.0 + libjpeg-turbo 2.1.5): decoding,
 * the BICUBIC resize and the CLIP / SigLIP pixel values. The README's tolerance is bit-exact for
 * everything after decoding. JPEG decoding (ImageIO's libjpeg 6b vs Pillow's libjpeg-turbo) is
 * identical on the stored 4:2:0 baseline JPEG.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PilGoldenTest {
    static final String DIR = "llava15/preprocessing/";

    static Stream<String> images() {
        return Stream.of("still_640x360.png", "still_640x360.jpg", "real_chelsea_451x300.png", "tiny_8x8.png",
                "gray_320x240.png", "alpha_rgba_256x256.png");
    }

    static Stream<String> pngImages() {
        return images().filter(n -> n.endsWith(".png"));
    }

    /** The images whose CLIP pixel_values are stored. */
    static Stream<String> imagesWithClipPixelValues() {
        return Stream.of("still_640x360.png", "real_chelsea_451x300.png");
    }

    private final java.util.Map<String, Safetensors> open = new java.util.HashMap<>();

    Safetensors golden(String image) {
        return open.computeIfAbsent(image, n -> GzSafetensors.open(SharedData.golden(DIR + n.replace('.', '_') + ".safetensors.gz")));
    }

    @AfterAll
    void close() {
        open.values().forEach(Safetensors::close);
    }

    @ParameterizedTest
    @MethodSource("pngImages")
    void pngDecodingEqualsPillowConvertRgb(String image) {
        RgbImage ours = ImageLoader.load(SharedData.media(image));
        RgbImage pil = GzSafetensors.image(golden(image).get("decoded_rgb"));
        assertThat(ours).isEqualTo(pil);
    }

    @Test
    void jpegDecodingEqualsLibjpegTurbo() {
        RgbImage ours = ImageLoader.load(SharedData.media("still_640x360.jpg"));
        RgbImage pil = GzSafetensors.image(golden("still_640x360.jpg").get("decoded_rgb"));
        ImageDiff d = ImageDiff.of(ours, pil);
        System.out.println("JPEG still_640x360.jpg ImageIO vs Pillow/libjpeg-turbo: " + d);
        // measured: identical (both are IJG code with the integer IDCT and fancy upsampling)
        assertThat(d.maxAbs()).isZero();
    }

    @ParameterizedTest
    @MethodSource("images")
    void clipResizeAndCropIsBitExact(String image) {
        Safetensors g = golden(image);
        RgbImage decoded = GzSafetensors.image(g.get("decoded_rgb"));
        RgbImage ours = new ImagePreprocessor(ImageProcessorConfig.clip336()).resizeAndCrop(decoded);
        assertThat(ours).isEqualTo(GzSafetensors.image(g.get("clip336_uint8")));
    }

    @ParameterizedTest
    @MethodSource("images")
    void siglipSquashResizeIsBitExact(String image) {
        Safetensors g = golden(image);
        RgbImage decoded = GzSafetensors.image(g.get("decoded_rgb"));
        RgbImage ours = new ImagePreprocessor(ImageProcessorConfig.siglip384()).resizeAndCrop(decoded);
        assertThat(ours).isEqualTo(GzSafetensors.image(g.get("siglip384_uint8")));
    }

    @ParameterizedTest
    @MethodSource("images")
    void clipResizeTargetMatchesIndex(String image) throws Exception {
        var index = new com.fasterxml.jackson.databind.ObjectMapper().readTree(SharedData.golden(DIR + "index.json").toFile());
        var entry = index.get("images").get(image);
        int[] hw = new ImagePreprocessor(ImageProcessorConfig.clip336()).resizeTarget(entry.get("height").asInt(), entry.get("width").asInt());
        assertThat(hw).containsExactly(entry.get("clip336").get("resize_to_hw").get(0).asInt(), entry.get("clip336").get("resize_to_hw").get(1).asInt());
    }

    @ParameterizedTest
    @MethodSource("imagesWithClipPixelValues")
    void clipPixelValuesAreBitExactFromTheImageFile(String image) {
        Safetensors g = golden(image);
        ImagePreprocessor pre = ImagePreprocessor.fromConfig(SharedData.golden("llava15/tiny-llava15-hf/preprocessor_config.json"));
        float[][][] ours = pre.pixelValues(ImageLoader.load(SharedData.media(image)));
        assertBitExact(ours, g.get("clip336_pixel_values"));
    }

    @Test
    void siglipPixelValuesAreBitExact() {
        Safetensors g = golden("still_640x360.png");
        float[][][] ours = new ImagePreprocessor(ImageProcessorConfig.siglip384()).pixelValues(ImageLoader.load(SharedData.media("still_640x360.png")));
        assertBitExact(ours, g.get("siglip384_pixel_values"));
    }

    static void assertBitExact(float[][][] ours, Tensor expected) {
        long[] s = expected.shape();
        int c = (int) s[s.length - 3], h = (int) s[s.length - 2], w = (int) s[s.length - 1];
        assertThat(ours.length).isEqualTo(c);
        assertThat(ours[0].length).isEqualTo(h);
        assertThat(ours[0][0].length).isEqualTo(w);
        float[] flat = expected.toFloatArray();
        int mismatches = 0;
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (Float.floatToRawIntBits(ours[k][y][x]) != Float.floatToRawIntBits(flat[(k * h + y) * w + x])) mismatches++;
                }
            }
        }
        assertThat(mismatches).as("pixel values differing from " + expected.name()).isZero();
    }
}
