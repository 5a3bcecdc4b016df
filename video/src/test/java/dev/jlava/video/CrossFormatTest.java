package dev.jlava.video;

import dev.jlava.SharedData;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.vision.image.RgbImage;
import dev.jlava.vision.video.Frame;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scenes_short.* hold the same pictures in five codecs: decoded frames must agree up to codec loss.
 * A wrong YCbCr matrix or range (e.g. the full-range MJPEG file read as limited range) shifts
 * every pixel and fails this.
 */
class CrossFormatTest {
    @ParameterizedTest
    @ValueSource(strings = {"scenes_short.webm", "scenes_short.avi", "scenes_short.mov", "scenes_short_av1.mp4"})
    void sameContentInOtherCodecsDecodesToTheSamePictures(String name) {
        List<Frame> ref, other;
        try (FfmpegFrameSource a = FfmpegFrameSource.open(SharedData.media("scenes_short.mp4"));
             FfmpegFrameSource b = FfmpegFrameSource.open(SharedData.media(name))) {
            ref = a.sample(6);
            other = b.sample(6);
        }
        for (int i = 0; i < ref.size(); i++) {
            double[] mean = meanDifference(ref.get(i).image(), other.get(i).image());
            double mad = meanAbs(ref.get(i).image(), other.get(i).image());
            assertThat(mad).isLessThan(4.0);
            for (double m : mean) assertThat(Math.abs(m)).isLessThan(1.0);
        }
    }

    static double meanAbs(RgbImage a, RgbImage b) {
        byte[] x = a.pixels(), y = b.pixels();
        long s = 0;
        for (int i = 0; i < x.length; i++) s += Math.abs((x[i] & 0xff) - (y[i] & 0xff));
        return (double) s / x.length;
    }

    static double[] meanDifference(RgbImage a, RgbImage b) {
        byte[] x = a.pixels(), y = b.pixels();
        double[] s = new double[3];
        for (int i = 0; i < x.length; i++) s[i % 3] += (x[i] & 0xff) - (y[i] & 0xff);
        for (int c = 0; c < 3; c++) s[c] /= x.length / 3.0;
        return s;
    }
}
