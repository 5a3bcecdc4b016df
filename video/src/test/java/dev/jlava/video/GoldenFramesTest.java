package dev.jlava.video;

import dev.jlava.SharedData;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.io.Safetensors;
import dev.jlava.tensor.Tensor;
import dev.jlava.vision.image.RgbImage;
import dev.jlava.vision.video.Frame;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 8 frames of scenes.mp4 stored by the llava-ov golden (ffmpeg 5.1 CLI, rgb24). */
class GoldenFramesTest {
    @Test
    void sampledFramesMatchTheReferenceDecode() {
        try (Safetensors st = Safetensors.open(SharedData.golden("llava-ov/video_inputs.safetensors"));
             FfmpegFrameSource src = FfmpegFrameSource.open(SharedData.media("scenes.mp4"))) {
            long[] idx = st.get("frame_indices").toLongArray();
            Tensor frames = st.get("frames_uint8");
            List<Frame> got = src.sample(8);
            int max = 0;
            long differing = 0;
            for (int i = 0; i < 8; i++) {
                assertThat(got.get(i).index()).isEqualTo((int) idx[i]);
                long bytes = 360L * 640 * 3;
                byte[] ref = frames.data().asSlice(i * bytes, bytes).toArray(ValueLayout.JAVA_BYTE);
                RgbImage ours = got.get(i).image();
                byte[] px = ours.pixels();
                for (int k = 0; k < px.length; k++) {
                    int d = Math.abs((px[k] & 0xff) - (ref[k] & 0xff));
                    if (d > 0) differing++;
                    max = Math.max(max, d);
                }
            }
            System.out.println("scenes.mp4 8 frames vs golden: max abs " + max + ", differing bytes " + differing);
            assertThat(max).isZero();
        }
    }
}
