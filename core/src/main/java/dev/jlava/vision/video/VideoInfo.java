package dev.jlava.vision.video;

import java.nio.file.Path;

/**
 * What a video file holds.
 *
 * @param file              the file
 * @param frameCount        frames the decoder delivers (what sampling uses; the reference counts
 *                          decoded frames, like {@code ffprobe -count_frames})
 * @param headerFrameCount  frames the container claims (nb_frames or duration x rate), -1 when unknown;
 *                          can differ from frameCount (sparse AVI, truncated files)
 * @param fps               the stream's average frame rate (0 when unknown)
 * @param durationSeconds   container duration (0 when unknown)
 * @param width             displayed width, after rotation
 * @param height            displayed height, after rotation
 * @param rotationDegrees   clockwise rotation applied to the stored frames to display them: 0, 90, 180 or 270
 * @param codec             the video codec's short name (h264, hevc, vp9, ...)
 */
public record VideoInfo(Path file, int frameCount, long headerFrameCount, double fps, double durationSeconds,
                        int width, int height, int rotationDegrees, String codec) {}
