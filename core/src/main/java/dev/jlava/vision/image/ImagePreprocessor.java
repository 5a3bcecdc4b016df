package dev.jlava.vision.image;

import java.nio.file.Path;

/**
 * The slow (PIL-based) Hugging Face image processors, bit for bit:
 * <ol>
 *   <li>resize on the 8-bit image with Pillow BICUBIC ({@link PilResize}): either the shortest
 *       edge to {@code shortest_edge}, the long side {@code int(s * long / short)} (truncated), as
 *       CLIPImageProcessor; or straight to {@code height x width} (SigLIP, LLaVA-OneVision);</li>
 *   <li>center crop (CLIP): {@code top = (H - h) // 2}, {@code left = (W - w) // 2}, zero padding
 *       only when the image is smaller than the crop;</li>
 *   <li>rescale: {@code float32(double(u8) * rescale_factor)};</li>
 *   <li>normalize in float32: {@code (x - float32(mean[c])) / float32(std[c])};</li>
 *   <li>channels first: {@code pixel_values[c][y][x]}.</li>
 * </ol>
 * The anyres tiling of LLaVA-OneVision images is {@link #anyRes(RgbImage)}. Videos frames go
 * through {@link #pixelValues(RgbImage)} (the video processor has no tiling).
 */
public final class ImagePreprocessor {
    private final ImageProcessorConfig config;
    /** pixel value of each 8-bit level per channel: every step after the resize is per pixel. */
    private final float[][] lut = new float[3][256];

    public ImagePreprocessor(ImageProcessorConfig config) {
        this.config = config;
        for (int c = 0; c < 3; c++) {
            float mean = (float) config.mean()[c], std = (float) config.std()[c];
            for (int u = 0; u < 256; u++) {
                float v = config.rescale() ? (float) (u * config.rescaleFactor()) : (float) u;
                lut[c][u] = config.normalize() ? (v - mean) / std : v;
            }
        }
    }

    /** Reads {@code preprocessor_config.json}. */
    public static ImagePreprocessor fromConfig(Path preprocessorConfigJson) {
        return new ImagePreprocessor(ImageProcessorConfig.read(preprocessorConfigJson));
    }

    public ImageProcessorConfig config() { return config; }

    /** The 8-bit image after resize and center crop (before rescale/normalize). */
    public RgbImage resizeAndCrop(RgbImage image) {
        RgbImage img = image;
        if (config.resize()) {
            int[] hw = resizeTarget(image.height(), image.width());
            img = PilResize.bicubic(img, hw[1], hw[0]);
        }
        if (config.centerCrop()) img = centerCrop(img, config.cropHeight(), config.cropWidth());
        return img;
    }

    /** {@code pixel_values} of one image, {@code [3][H][W]}: resize, crop, rescale, normalize. */
    public float[][][] pixelValues(RgbImage image) {
        return normalize(resizeAndCrop(image));
    }

    /** Rescale and normalize an 8-bit image (already resized) into {@code [3][H][W]}. */
    public float[][][] normalize(RgbImage image) {
        int w = image.width(), h = image.height();
        byte[] px = image.pixels();
        float[][][] out = new float[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                out[0][y][x] = lut[0][px[p] & 0xff];
                out[1][y][x] = lut[1][px[p + 1] & 0xff];
                out[2][y][x] = lut[2][px[p + 2] & 0xff];
            }
        }
        return out;
    }

    /** The value an 8-bit level {@code u} of channel {@code c} becomes in {@code pixel_values}. */
    public float pixelValue(int c, int u) {
        return lut[c][u];
    }

    /** LLaVA-OneVision's anyres tiling of one image (requires {@code image_grid_pinpoints}). */
    public AnyResImage anyRes(RgbImage image) {
        if (!config.anyRes()) throw new IllegalStateException(config.processorType() + " has no image_grid_pinpoints: no anyres tiling");
        return AnyResImage.tile(image, this);
    }

    /**
     * Output (height, width) of the resize step for an input of {@code h x w}: HF's
     * {@code get_resize_output_image_size(default_to_square=False)} for shortest_edge, else the
     * configured size.
     */
    public int[] resizeTarget(int h, int w) {
        if (config.shortestEdge() == 0) return new int[] {config.height(), config.width()};
        int s = config.shortestEdge();
        int shortSide = Math.min(w, h), longSide = Math.max(w, h);
        // Python: int(s * long / short), true division in double, then truncation
        int newLong = (int) ((double) ((long) s * longSide) / shortSide);
        return w <= h ? new int[] {newLong, s} : new int[] {s, newLong};
    }

    /** HF {@code center_crop}: slice when the image is large enough, else zero-pad around it first. */
    static RgbImage centerCrop(RgbImage img, int ch, int cw) {
        int h = img.height(), w = img.width();
        int top = Math.floorDiv(h - ch, 2), left = Math.floorDiv(w - cw, 2);
        if (top >= 0 && left >= 0 && top + ch <= h && left + cw <= w) return img.crop(left, top, cw, ch);
        int nh = Math.max(ch, h), nw = Math.max(cw, w);
        int topPad = (nh - h + 1) / 2, leftPad = (nw - w + 1) / 2; // ceil((new - orig) / 2)
        RgbImage padded = img.padTo(nw, nh, leftPad, topPad);
        int t = Math.max(0, top + topPad), l = Math.max(0, left + leftPad);
        int b = Math.min(nh, top + topPad + ch), r = Math.min(nw, left + leftPad + cw);
        return padded.crop(l, t, r - l, b - t);
    }
}
