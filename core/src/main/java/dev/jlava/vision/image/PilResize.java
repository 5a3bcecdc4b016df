package dev.jlava.vision.image;

/**
 * Pillow's {@code Image.resize(size, BICUBIC)} on an 8-bit RGB image, bit for bit
 * ({@code ImagingResample} in Pillow's Resample.c, unchanged from 9.4 to current).
 *
 * <p>Separable: a horizontal pass, then a vertical pass on its 8-bit result (the intermediate is
 * rounded and clamped; doing the passes in float or the other way round gives different pixels).
 * Each output sample is a convolution with Keys' cubic kernel (a = -0.5) whose support widens by
 * the downscale factor (antialiasing); weights are normalised in double precision, then turned
 * into 22-bit fixed point and accumulated in 32-bit integers with a half for rounding. A pass
 * whose size does not change is skipped.
 */
public final class PilResize {
    private PilResize() {}

    /** Fixed-point fraction bits: 32 - 8 - 2, as Pillow's PRECISION_BITS for 8-bit images. */
    static final int PRECISION_BITS = 22;
    static final double KEYS_A = -0.5;
    static final double SUPPORT = 2.0;

    /** Resizes to {@code outWidth x outHeight} with Pillow's antialiased BICUBIC filter. */
    public static RgbImage bicubic(RgbImage in, int outWidth, int outHeight) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("resize target " + outWidth + "x" + outHeight + " must be positive");
        }
        RgbImage img = in;
        if (outWidth != in.width()) img = horizontal(img, outWidth);
        if (outHeight != in.height()) img = vertical(img, outHeight);
        return img;
    }

    /** Keys' cubic convolution kernel, evaluated in Pillow's operation order. */
    static double cubic(double x) {
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((KEYS_A + 2.0) * x - (KEYS_A + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * KEYS_A;
        return 0.0;
    }

    /**
     * Taps of one axis: for output index i, {@code start[i]} and {@code count[i]} input samples
     * with fixed-point weights {@code weights[i * maxTaps + k]}.
     */
    record Coefficients(int[] start, int[] count, int[] weights, int maxTaps) {}

    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int maxTaps = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[outSize], count = new int[outSize], fixed = new int[outSize * maxTaps];
        double[] w = new double[maxTaps];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = (int) (center - support + 0.5); // C cast: truncation toward zero
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            int n = xmax - xmin;
            double ww = 0.0;
            for (int x = 0; x < n; x++) {
                double v = cubic((x + xmin - center + 0.5) * ss);
                w[x] = v;
                ww += v;
            }
            for (int x = 0; x < n; x++) {
                double v = ww != 0.0 ? w[x] / ww : w[x];
                // round half away from zero by truncation, as Pillow's normalize_coeffs_8bpc
                fixed[xx * maxTaps + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            start[xx] = xmin;
            count[xx] = n;
        }
        return new Coefficients(start, count, fixed, maxTaps);
    }

    /** acc holds the sum in 22-bit fixed point plus the rounding half; shift, then clamp to 0..255. */
    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static RgbImage horizontal(RgbImage in, int outW) {
        int inW = in.width(), h = in.height();
        Coefficients k = coefficients(inW, outW);
        byte[] src = in.pixels(), dst = new byte[outW * h * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < h; y++) {
            int row = y * inW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int s = k.start[xx], n = k.count[xx], wo = xx * k.maxTaps;
                int r = half, g = half, b = half;
                for (int t = 0; t < n; t++) {
                    int p = row + (s + t) * 3, wt = k.weights[wo + t];
                    r += (src[p] & 0xff) * wt;
                    g += (src[p + 1] & 0xff) * wt;
                    b += (src[p + 2] & 0xff) * wt;
                }
                int o = (y * outW + xx) * 3;
                dst[o] = clip8(r);
                dst[o + 1] = clip8(g);
                dst[o + 2] = clip8(b);
            }
        }
        return new RgbImage(outW, h, dst);
    }

    private static RgbImage vertical(RgbImage in, int outH) {
        int w = in.width(), inH = in.height();
        Coefficients k = coefficients(inH, outH);
        byte[] src = in.pixels(), dst = new byte[w * outH * 3];
        int half = 1 << (PRECISION_BITS - 1);
        int stride = w * 3;
        int[] acc = new int[stride];
        for (int yy = 0; yy < outH; yy++) {
            int s = k.start[yy], n = k.count[yy], wo = yy * k.maxTaps;
            java.util.Arrays.fill(acc, half);
            for (int t = 0; t < n; t++) {
                int row = (s + t) * stride, wt = k.weights[wo + t];
                for (int i = 0; i < stride; i++) acc[i] += (src[row + i] & 0xff) * wt;
            }
            int o = yy * stride;
            for (int i = 0; i < stride; i++) dst[o + i] = clip8(acc[i]);
        }
        return new RgbImage(w, outH, dst);
    }
}
