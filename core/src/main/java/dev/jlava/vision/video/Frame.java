package dev.jlava.vision.video;

import dev.jlava.vision.image.RgbImage;

/**
 * One decoded video frame.
 *
 * @param index            0-based position among the decoded frames (display order)
 * @param timestampSeconds presentation time, or NaN when the stream has none
 * @param image            RGB pixels, already rotated upright
 */
public record Frame(int index, double timestampSeconds, RgbImage image) {}
