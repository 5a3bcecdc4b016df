package dev.jlava.video;

import dev.jlava.SharedData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.vision.MediaFileException;
import dev.jlava.vision.MediaFileException.Problem;
import dev.jlava.vision.image.RgbImage;
import dev.jlava.vision.video.Frame;
import dev.jlava.vision.video.VideoInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file of ../shared/media/ as its README and media.json describe it. */
class MediaFilesTest {
    static JsonNode media() {
        try {
            return new ObjectMapper().readTree(SharedData.media("media.json").toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<String> videos() {
        List<String> names = new ArrayList<>();
        media().get("videos").fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    static int[] samplesOf(JsonNode v) {
        JsonNode s = v.has("samples") ? v.get("samples") : v.get("segments").get("samples");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) out[i] = s.get(i).asInt();
        return out;
    }

    /**
     * Frame count, size and the 32 uniform sample indices (over the decoded frames) of every video,
     * including the AV1 file (this FFmpeg build decodes AV1 with libaom).
     */
    @ParameterizedTest
    @MethodSource("videos")
    void probesAndSamplesLikeTheReference(String name) {
        JsonNode v = media().get("videos").get(name);
        try (FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media(name))) {
            List<Frame> frames = src.sample(32); // first, so that its single pass also counts the frames
            VideoInfo info = src.probe();
            assertThat(frames.stream().mapToInt(Frame::index).toArray()).containsExactly(samplesOf(v));
            assertThat(info.frameCount()).isEqualTo(v.get("nb_frames_decoded").asInt());
            assertThat(info.codec()).isEqualTo(v.get("codec").asText());
            int rotation = v.has("rotation") ? Math.floorMod(-v.get("rotation").asInt(), 360) : 0;
            assertThat(info.rotationDegrees()).isEqualTo(rotation);
            boolean quarter = rotation % 180 != 0;
            assertThat(info.width()).isEqualTo(v.get(quarter ? "height" : "width").asInt());
            assertThat(info.height()).isEqualTo(v.get(quarter ? "width" : "height").asInt());
            assertThat(info.fps()).isCloseTo(v.get("fps").asDouble(), org.assertj.core.data.Offset.offset(1e-3));
            assertThat(info.durationSeconds()).isCloseTo(v.get("duration_s").asDouble(), org.assertj.core.data.Offset.offset(0.05));
            long header = v.get("nb_frames_header").isNumber() ? v.get("nb_frames_header").asLong() : -1;
            assertThat(info.headerFrameCount()).isEqualTo(header);
            for (Frame f : frames) {
                assertThat(f.image().width()).isEqualTo(info.width());
                assertThat(f.image().height()).isEqualTo(info.height());
            }
        }
    }

    /** The 32 sampled frames of scenes.mp4 are the README's list and fall into the right scenes. */
    @Test
    void scenesSamplesAreTheReadmeList() {
        int[] expected = {0, 9, 18, 27, 37, 46, 55, 64, 74, 83, 92, 101, 111, 120, 129, 138,
                148, 157, 166, 175, 185, 194, 203, 212, 222, 231, 240, 249, 259, 268, 277, 287};
        try (FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media("scenes.mp4"))) {
            List<Frame> frames = src.sample(32);
            assertThat(frames.stream().mapToInt(Frame::index).toArray()).containsExactly(expected);
            // timestamps at 24 fps: frame n at n / 24 s
            for (Frame f : frames) assertThat(f.timestampSeconds()).isCloseTo(f.index() / 24.0, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    /** frame_index_code.mp4 shows its own index as a 16-bit code: the sampler really returns frame N. */
    @ParameterizedTest
    @MethodSource("codedFiles")
    void sampledFramesCarryTheirOwnIndex(String name) {
        try (FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media(name))) {
            for (Frame f : src.sample(32)) assertThat(readCode(f.image())).isEqualTo(f.index());
        }
    }

    static Stream<String> codedFiles() {
        return Stream.of("frame_index_code.mp4", "short_10frames.mp4");
    }

    /** Bit k = 4r + c is white when the cell centre (48 + 96c, 48 + 96r) is bright. */
    static int readCode(RgbImage img) {
        int n = 0;
        for (int k = 0; k < 16; k++) {
            int x = 48 + 96 * (k % 4), y = 48 + 96 * (k / 4);
            int luma = (img.get(x, y, 0) + img.get(x, y, 1) + img.get(x, y, 2)) / 3;
            if (luma >= 128) n |= 1 << k;
        }
        return n;
    }

    @Test
    void fewerFramesThanSamplesRepeatFrames() {
        try (FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media("short_10frames.mp4"))) {
            List<Frame> frames = src.sample(32);
            assertThat(frames).hasSize(32);
            assertThat(frames.stream().mapToInt(Frame::index).toArray()).containsExactly(
                    0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9);
        }
    }

    /** Stored 640x360 with rotation -90: shown 360x640 with the red "STORED TOP" band on the right. */
    @Test
    void displayMatrixRotationIsApplied() {
        try (FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media("rotated_portrait.mp4"))) {
            RgbImage img = src.sample(1).get(0).image();
            assertThat(img.width()).isEqualTo(360);
            assertThat(img.height()).isEqualTo(640);
            assertThat(redness(img, img.width() - 8, img.height() / 2)).isGreaterThan(100);
            assertThat(redness(img, 8, img.height() / 2)).isLessThan(100);
        }
    }

    private static int redness(RgbImage img, int x, int y) {
        return img.get(x, y, 0) - (img.get(x, y, 1) + img.get(x, y, 2)) / 2;
    }

    @Test
    void audioIsIgnored() {
        try (FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media("with_audio.mp4"))) {
            assertThat(src.probe().frameCount()).isEqualTo(72);
        }
    }

    /** The sparse Cinepak AVI claims 120 frames; 19 decode, and sampling uses the 19. */
    @Test
    void containerFrameCountIsNotTrusted() {
        try (FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media("real_tree_sparse_cinepak.avi"))) {
            assertThat(src.sample(32).stream().mapToInt(Frame::index).toArray()).containsExactly(
                    0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 6, 7, 8, 8, 9, 9, 10, 11, 11, 12, 12, 13, 13, 14, 15, 15, 16, 16, 17, 18);
            VideoInfo info = src.probe();
            assertThat(info.headerFrameCount()).isEqualTo(120);
            assertThat(info.frameCount()).isEqualTo(19);
        }
    }

    /** Half of scenes.mp4: the index is intact (288), only the decodable frames count. */
    @Test
    void truncatedFileDecodesWhatIsThere() {
        JsonNode bad = media().get("bad").get("scenes_truncated_half.mp4");
        try (FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media("scenes_truncated_half.mp4"))) {
            VideoInfo info = src.probe();
            assertThat(info.headerFrameCount()).isEqualTo(bad.get("nb_frames_header").asLong());
            assertThat(info.frameCount()).isEqualTo(bad.get("frames_decodable").asInt());
            assertThat(src.sample(8)).hasSize(8);
        }
    }

    @Test
    void badFilesFailWithTheirProblem() {
        expectFailure("empty.mp4", Problem.EMPTY, "empty");
        expectFailure("not_a_video.mp4", Problem.NOT_MEDIA, "not a video");
        expectFailure("scenes_truncated_no_moov.mp4", Problem.TRUNCATED, "moov");
        expectFailure("audio_only.mp4", Problem.NO_VIDEO_STREAM, "no video stream (only audio aac)");
        expectFailure("does_not_exist.mp4", Problem.UNREADABLE, "no such file");
        expectFailure("still_640x360.png", Problem.NOT_MEDIA, "a still image (png");
        expectFailure("exif_orientation6.jpg", Problem.NOT_MEDIA, "a still image");
    }

    private static void expectFailure(String name, Problem problem, String text) {
        var path = SharedData.media(name);
        assertThatThrownBy(() -> {
            try (FfmpegFrameSource src = FfmpegFrameSource.open(path)) {
                src.sample(4);
            }
        }).isInstanceOfSatisfying(MediaFileException.class, e -> {
            assertThat(e.problem()).as(e.getMessage()).isEqualTo(problem);
            assertThat(e.getMessage()).startsWith(path.toString() + ": ");
            assertThat(e.getMessage()).contains(text);
        });
    }
}
