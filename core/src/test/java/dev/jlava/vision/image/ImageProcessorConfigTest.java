package dev.jlava.vision.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.SharedData;
import dev.jlava.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageProcessorConfigTest {
    @Test
    void readsTheLlava15ClipConfig() {
        ImageProcessorConfig c = ImageProcessorConfig.read(SharedData.golden("llava15/tiny-llava15-hf/preprocessor_config.json"));
        assertThat(c.processorType()).isEqualTo("CLIPImageProcessor");
        assertThat(c.shortestEdge()).isEqualTo(336);
        assertThat(c.centerCrop()).isTrue();
        assertThat(new int[] {c.cropHeight(), c.cropWidth()}).containsExactly(336, 336);
        assertThat(c.rescaleFactor()).isEqualTo(1.0 / 255.0);
        assertThat(c.mean()).containsExactly(ImageProcessorConfig.CLIP_MEAN);
        assertThat(c.std()).containsExactly(ImageProcessorConfig.CLIP_STD);
        assertThat(c.anyRes()).isFalse();
    }

    @Test
    void readsTheOneVisionImageAndVideoConfigs() {
        ImageProcessorConfig img = ImageProcessorConfig.read(SharedData.golden("llava-ov/tiny-llava-ov-hf/preprocessor_config.json"));
        assertThat(img.shortestEdge()).isZero();
        assertThat(new int[] {img.height(), img.width()}).containsExactly(384, 384);
        assertThat(img.centerCrop()).isFalse();
        assertThat(img.gridPinpoints()).hasNumberOfRows(36);
        assertThat(img.gridPinpoints()[1]).containsExactly(384, 768);
        assertThat(img.pad()).isTrue();
        assertThat(img.mean()).containsExactly(0.5, 0.5, 0.5);
        ImageProcessorConfig video = ImageProcessorConfig.read(SharedData.golden("llava-ov/tiny-llava-ov-hf/video_preprocessor_config.json"));
        assertThat(video.processorType()).isEqualTo("LlavaOnevisionVideoProcessor");
        assertThat(video.anyRes()).isFalse();
    }

    @Test
    void badConfigsNameTheFileAndField(@TempDir Path dir) throws IOException {
        expectError(dir, "{\"resample\": 2, \"size\": {\"height\": 384, \"width\": 384}}", "resample = 2");
        expectError(dir, "{\"size\": {\"longest\": 384}}", "neither shortest_edge nor height and width");
        expectError(dir, "{\"size\": {\"height\": 384, \"width\": 384}, \"image_grid_pinpoints\": [[384]]}", "image_grid_pinpoints[0]");
        expectError(dir, "{\"image_mean\": [0.5, 0.5], \"size\": {\"height\": 384, \"width\": 384}}", "image_mean");
        expectError(dir, "[1, 2]", "not a JSON object");
        expectError(dir, "{", "cannot read");
    }

    private static void expectError(Path dir, String json, String what) throws IOException {
        Path f = Files.writeString(dir.resolve("preprocessor_config.json"), json);
        assertThatThrownBy(() -> ImageProcessorConfig.read(f)).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining(what);
    }
}
