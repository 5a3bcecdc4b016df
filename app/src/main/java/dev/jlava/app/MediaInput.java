package dev.jlava.app;

import dev.jlava.vision.image.ImageLoader;
import dev.jlava.vision.image.RgbImage;
import dev.jlava.vision.video.Frame;
import dev.jlava.vision.video.VideoInfo;
import dev.jlava.video.FfmpegFrameSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The frames of one request: N uniformly sampled video frames, or one image. */
record MediaInput(List<RgbImage> frames, int[] indices, boolean video, long decodeNanos, int totalFrames, double fps) {
    static MediaInput video(Path file, int n) {
        if (n < 1) throw new UserError("--frames must be >= 1, got " + n);
        if (!Files.exists(file)) throw new UserError(file + ": no such file");
        long t0 = System.nanoTime();
        try (FfmpegFrameSource src = FfmpegFrameSource.open(file)) {
            VideoInfo info = src.probe();
            List<Frame> fr = src.sample(n);
            List<RgbImage> images = new ArrayList<>();
            int[] idx = new int[fr.size()];
            for (int i = 0; i < fr.size(); i++) {
                images.add(fr.get(i).image());
                idx[i] = fr.get(i).index();
            }
            return new MediaInput(images, idx, true, System.nanoTime() - t0, info.frameCount(), info.fps());
        }
    }

    static MediaInput image(Path file) {
        if (!Files.exists(file)) throw new UserError(file + ": no such file");
        long t0 = System.nanoTime();
        RgbImage img = ImageLoader.load(file, true); // EXIF orientation applied, as transformers' load_image does for a path
        return new MediaInput(List.of(img), new int[] {0}, false, System.nanoTime() - t0, 1, 0);
    }
}
