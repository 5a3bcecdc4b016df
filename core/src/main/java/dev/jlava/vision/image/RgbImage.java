package dev.jlava.vision.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, row-major, channels interleaved (HWC), like the numpy array that
 * {@code np.asarray(pil_image.convert("RGB"))} gives. Treat it as immutable: the pixel array is
 * shared, never modified after construction.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    /** Wraps {@code rgb} (length {@code width * height * 3}) without copying. */
    public RgbImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size " + width + "x" + height + " must be positive");
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(rgb.length + " bytes for a " + width + "x" + height + " RGB image (expected "
                    + (long) width * height * 3 + ")");
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** An image of one colour. */
    public static RgbImage filled(int width, int height, int r, int g, int b) {
        byte[] px = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return new RgbImage(width, height, px);
    }

    public int width() { return width; }

    public int height() { return height; }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** The backing HWC bytes (not a copy: do not modify). */
    public byte[] pixels() { return rgb; }

    /** The rectangle {@code [left, left + w) x [top, top + h)}, which must lie inside the image. */
    public RgbImage crop(int left, int top, int w, int h) {
        if (left < 0 || top < 0 || w <= 0 || h <= 0 || left + w > width || top + h > height) {
            throw new IllegalArgumentException("crop " + w + "x" + h + " at (" + left + ", " + top + ") outside a "
                    + width + "x" + height + " image");
        }
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /**
     * This image placed at (left, top) on a {@code w x h} canvas of zeros (black), like numpy's
     * constant padding with 0.
     */
    public RgbImage padTo(int w, int h, int left, int top) {
        if (left < 0 || top < 0 || left + width > w || top + height > h) {
            throw new IllegalArgumentException("cannot place a " + width + "x" + height + " image at (" + left + ", " + top
                    + ") on a " + w + "x" + h + " canvas");
        }
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < height; y++) {
            System.arraycopy(rgb, y * width * 3, out, ((top + y) * w + left) * 3, width * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Rotated 90 degrees clockwise (the top row becomes the right column). */
    public RgbImage rotate90Clockwise() {
        int w = height, h = width;
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                // source (x, y) goes to column (height - 1 - y), row x
                System.arraycopy(rgb, (y * width + x) * 3, out, (x * w + (height - 1 - y)) * 3, 3);
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Rotated 180 degrees. */
    public RgbImage rotate180() {
        byte[] out = new byte[rgb.length];
        int n = width * height;
        for (int i = 0; i < n; i++) System.arraycopy(rgb, i * 3, out, (n - 1 - i) * 3, 3);
        return new RgbImage(width, height, out);
    }

    /** Rotated 90 degrees counter-clockwise (the top row becomes the left column). */
    public RgbImage rotate90CounterClockwise() {
        int w = height, h = width;
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(rgb, (y * width + x) * 3, out, ((width - 1 - x) * w + y) * 3, 3);
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Mirrored left-right. */
    public RgbImage flipHorizontal() {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(rgb, (y * width + x) * 3, out, (y * width + (width - 1 - x)) * 3, 3);
            }
        }
        return new RgbImage(width, height, out);
    }

    /** Mirrored top-bottom. */
    public RgbImage flipVertical() {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            System.arraycopy(rgb, y * width * 3, out, (height - 1 - y) * width * 3, width * 3);
        }
        return new RgbImage(width, height, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && other.width == width && other.height == height && Arrays.equals(other.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
