package dev.jlava.vision.video;

import java.util.List;

/**
 * A video that can be probed and uniformly sampled. Implementations decode lazily and keep only
 * the frames they return (a long video is never held in memory). Failures are
 * {@link dev.jlava.vision.MediaFileException}s naming the file. Not thread-safe.
 */
public interface FrameSource extends AutoCloseable {
    /** Stream facts; may decode the whole stream once to count frames exactly. */
    VideoInfo probe();

    /**
     * {@code n} frames at {@link UniformSampling#indices(int, int)} over the decoded frame count,
     * in index order; with fewer frames than {@code n} the same frame appears more than once.
     */
    List<Frame> sample(int n);

    /** Frames at the given indices (non-decreasing, within the decoded frame count). */
    List<Frame> frames(int[] indices);

    @Override
    void close();
}
