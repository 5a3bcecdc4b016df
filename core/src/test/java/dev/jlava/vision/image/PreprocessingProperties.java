package dev.jlava.vision.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Invariants of the resize, crop and anyres steps on random sizes (the goldens cover fixed ones). */
class PreprocessingProperties {

    static RgbImage random(int w, int h, long seed) {
        byte[] px = new byte[w * h * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    /** Each pixel encodes its position: R = x, G = y (images up to 256 px). */
    static RgbImage coordinates(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[(y * w + x) * 3] = (byte) x;
                px[(y * w + x) * 3 + 1] = (byte) y;
            }
        }
        return new RgbImage(w, h, px);
    }

    @Property(tries = 60)
    void resizingAConstantImageGivesTheSameConstant(@ForAll @IntRange(min = 1, max = 300) int w, @ForAll @IntRange(min = 1, max = 300) int h,
                                                    @ForAll @IntRange(min = 1, max = 400) int ow, @ForAll @IntRange(min = 1, max = 400) int oh,
                                                    @ForAll @IntRange(min = 0, max = 255) int r, @ForAll @IntRange(min = 0, max = 255) int g,
                                                    @ForAll @IntRange(min = 0, max = 255) int b) {
        RgbImage out = PilResize.bicubic(RgbImage.filled(w, h, r, g, b), ow, oh);
        assertThat(out).isEqualTo(RgbImage.filled(ow, oh, r, g, b));
    }

    @Property(tries = 40)
    void resizeHasTheRequestedSizeAndIsTheIdentityAtTheSameSize(@ForAll @IntRange(min = 1, max = 200) int w, @ForAll @IntRange(min = 1, max = 200) int h,
                                                                @ForAll @IntRange(min = 1, max = 300) int ow, @ForAll @IntRange(min = 1, max = 300) int oh,
                                                                @ForAll long seed) {
        RgbImage img = random(w, h, seed);
        RgbImage out = PilResize.bicubic(img, ow, oh);
        assertThat(out.width()).isEqualTo(ow);
        assertThat(out.height()).isEqualTo(oh);
        assertThat(PilResize.bicubic(img, w, h)).isEqualTo(img);
    }

    /** A one-axis resize leaves the other axis alone: every output row depends only on its own input row. */
    @Property(tries = 30)
    void horizontalResizeKeepsRowsIndependent(@ForAll @IntRange(min = 2, max = 120) int w, @ForAll @IntRange(min = 2, max = 40) int h,
                                              @ForAll @IntRange(min = 1, max = 200) int ow, @ForAll long seed) {
        RgbImage img = random(w, h, seed);
        RgbImage out = PilResize.bicubic(img, ow, h);
        int y = Math.floorMod((int) seed, h);
        assertThat(PilResize.bicubic(img.crop(0, y, w, 1), ow, 1)).isEqualTo(out.crop(0, y, ow, 1));
    }

    /** Fixed-point weights of every output sample sum to 1.0 within a few units of 2^-22. */
    @Property(tries = 60)
    void coefficientsAreNormalised(@ForAll @IntRange(min = 1, max = 3000) int in, @ForAll @IntRange(min = 1, max = 3000) int out) {
        PilResize.Coefficients c = PilResize.coefficients(in, out);
        for (int i = 0; i < out; i++) {
            long sum = 0;
            for (int k = 0; k < c.count()[i]; k++) sum += c.weights()[i * c.maxTaps() + k];
            assertThat(Math.abs(sum - (1L << PilResize.PRECISION_BITS))).isLessThanOrEqualTo(c.count()[i]);
            assertThat(c.start()[i]).isBetween(0, in - 1);
            assertThat(c.start()[i] + c.count()[i]).isLessThanOrEqualTo(in);
        }
    }

    @Property(tries = 60)
    void centerCropTakesTheMiddle(@ForAll @IntRange(min = 1, max = 256) int w, @ForAll @IntRange(min = 1, max = 256) int h,
                                  @ForAll @IntRange(min = 1, max = 256) int cw, @ForAll @IntRange(min = 1, max = 256) int ch) {
        RgbImage out = ImagePreprocessor.centerCrop(coordinates(w, h), ch, cw);
        assertThat(out.width()).isEqualTo(cw);
        assertThat(out.height()).isEqualTo(ch);
        // HF center_crop: offset (size - crop) // 2 when cropping; the image centred with ceil((crop - size) / 2) zeros when padding
        int left = Math.floorDiv(w - cw, 2), top = Math.floorDiv(h - ch, 2);
        int padLeft = w < cw ? (cw - w + 1) / 2 : 0, padTop = h < ch ? (ch - h + 1) / 2 : 0;
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int sx = w >= cw ? x + left : x - padLeft, sy = h >= ch ? y + top : y - padTop;
                boolean inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
                assertThat(out.get(x, y, 0)).isEqualTo(inside ? sx : 0);
                assertThat(out.get(x, y, 1)).isEqualTo(inside ? sy : 0);
            }
        }
    }

    @Property(tries = 25)
    void clipOutputIs336SquareAndItsShortSideIs336(@ForAll @IntRange(min = 1, max = 800) int w, @ForAll @IntRange(min = 1, max = 800) int h) {
        ImagePreprocessor pre = new ImagePreprocessor(ImageProcessorConfig.clip336());
        int[] hw = pre.resizeTarget(h, w);
        assertThat(Math.min(hw[0], hw[1])).isEqualTo(336);
        int longSide = (int) Math.floor(336.0 * Math.max(w, h) / Math.min(w, h));
        assertThat(Math.max(hw[0], hw[1])).isEqualTo(longSide);
        assertThat(hw[0] >= hw[1]).isEqualTo(h >= w || hw[0] == hw[1]);
        float[][][] pv = pre.pixelValues(random(w, h, w * 31L + h));
        assertThat(pv.length).isEqualTo(3);
        assertThat(pv[0].length).isEqualTo(336);
        assertThat(pv[0][0].length).isEqualTo(336);
    }

    @Property(tries = 20)
    void anyResTilesTheBestResolution(@ForAll @IntRange(min = 20, max = 1200) int w, @ForAll @IntRange(min = 20, max = 1200) int h) {
        int[][] pins = new int[36][];
        for (int i = 0; i < 36; i++) pins[i] = new int[] {384 * (i / 6 + 1), 384 * (i % 6 + 1)};
        ImageProcessorConfig siglip = ImageProcessorConfig.siglip384();
        ImageProcessorConfig ov = new ImageProcessorConfig("LlavaOnevisionImageProcessor", true, 0, 384, 384, false, 0, 0,
                true, siglip.rescaleFactor(), true, siglip.mean(), siglip.std(), pins, true);
        AnyResImage a = new ImagePreprocessor(ov).anyRes(RgbImage.filled(w, h, 200, 100, 50));
        assertThat(a.crops()).hasSize(1 + a.gridRows() * a.gridCols());
        assertThat(a.gridRows() * 384).isEqualTo(a.bestHeight());
        assertThat(a.gridCols() * 384).isEqualTo(a.bestWidth());
        for (RgbImage c : a.crops()) assertThat(new int[] {c.width(), c.height()}).containsExactly(384, 384);
        // the resize fits the pinpoint with one side exact, and the padding is centred (odd pixel right/bottom)
        assertThat(a.resizedHeight() == a.bestHeight() || a.resizedWidth() == a.bestWidth()).isTrue();
        assertThat(a.resizedHeight()).isLessThanOrEqualTo(a.bestHeight());
        assertThat(a.resizedWidth()).isLessThanOrEqualTo(a.bestWidth());
        assertThat(a.padLeft()).isEqualTo((a.bestWidth() - a.resizedWidth()) / 2);
        assertThat(a.padTop()).isEqualTo((a.bestHeight() - a.resizedHeight()) / 2);
        // the base crop is the squashed image; a constant image stays constant, padding is black
        assertThat(a.crops().get(0)).isEqualTo(RgbImage.filled(384, 384, 200, 100, 50));
        // no pinpoint keeps more of the image than the chosen one
        long best = effective(w, h, a.bestHeight(), a.bestWidth());
        for (int[] p : pins) assertThat(effective(w, h, p[0], p[1])).isLessThanOrEqualTo(best);
    }

    private static long effective(int w, int h, int ph, int pw) {
        double s = Math.min((double) pw / w, (double) ph / h);
        return Math.min((long) (w * s) * (long) (h * s), (long) w * h);
    }
}
