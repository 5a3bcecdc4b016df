package dev.jlava.vision.image;

import java.util.ArrayList;
import java.util.List;

/**
 * One image through LLaVA-OneVision's "anyres" image path (HF LlavaOnevisionImageProcessor,
 * slow version): pick the best grid resolution among the pinpoints, resize keeping the aspect
 * ratio so the image fits it, zero-pad to it (the odd pixel right/bottom), and split it into
 * crops of the processor's size in row-major order. Crop 0 is the whole image squashed to the
 * processor's size (the "base" image). All crops are 8-bit; {@link #pixelValues()} normalises them.
 *
 * @param originalHeight height of the image given (needed later to unpad the feature grid)
 * @param originalWidth  width of the image given
 * @param bestHeight   chosen pinpoint height
 * @param bestWidth    chosen pinpoint width
 * @param resizedHeight size of the aspect-preserving resize
 * @param resizedWidth  size of the aspect-preserving resize
 * @param padTop       zero rows above (padBottom = bestHeight - resizedHeight - padTop)
 * @param padLeft      zero columns left
 * @param gridRows     crops per column of the grid (bestHeight / crop height)
 * @param gridCols     crops per row of the grid
 * @param crops        base image first, then the grid crops row-major
 * @param preprocessor the processor that normalises the crops
 */
public record AnyResImage(int originalHeight, int originalWidth, int bestHeight, int bestWidth, int resizedHeight, int resizedWidth, int padTop, int padLeft,
                          int gridRows, int gridCols, List<RgbImage> crops, ImagePreprocessor preprocessor) {

    /** {@code pixel_values} of every crop, base first, each {@code [3][h][w]}. */
    public List<float[][][]> pixelValues() {
        List<float[][][]> out = new ArrayList<>(crops.size());
        for (RgbImage c : crops) out.add(preprocessor.normalize(c));
        return out;
    }

    static AnyResImage tile(RgbImage image, ImagePreprocessor pre) {
        ImageProcessorConfig cfg = pre.config();
        if (cfg.shortestEdge() != 0) throw new IllegalStateException("anyres needs a height x width size, not shortest_edge");
        int ph = cfg.height(), pw = cfg.width();
        int h = image.height(), w = image.width();
        int[] best = selectBestResolution(h, w, cfg.gridPinpoints());
        int th = best[0], tw = best[1];
        if (th % ph != 0 || tw % pw != 0) {
            throw new IllegalStateException("pinpoint " + th + "x" + tw + " is not a multiple of the crop size " + ph + "x" + pw);
        }
        // get_patch_output_size: the limiting side becomes exact, the other ceil(side * scale)
        double scaleW = (double) tw / w, scaleH = (double) th / h;
        int nh, nw;
        if (scaleW < scaleH) {
            nw = tw;
            nh = Math.min((int) Math.ceil(h * scaleW), th);
        } else {
            nh = th;
            nw = Math.min((int) Math.ceil(w * scaleH), tw);
        }
        RgbImage resized = PilResize.bicubic(image, nw, nh);
        int padTop = (th - nh) / 2, padLeft = (tw - nw) / 2; // divmod: the remainder goes bottom/right
        RgbImage padded = resized.padTo(tw, th, padLeft, padTop);
        List<RgbImage> crops = new ArrayList<>();
        crops.add(PilResize.bicubic(image, pw, ph));
        for (int y = 0; y < th; y += ph) {
            for (int x = 0; x < tw; x += pw) crops.add(padded.crop(x, y, pw, ph));
        }
        return new AnyResImage(h, w, th, tw, nh, nw, padTop, padLeft, th / ph, tw / pw, List.copyOf(crops), pre);
    }

    /**
     * HF {@code select_best_resolution}: the (height, width) pinpoint that keeps the most original
     * pixels after fitting the image into it (capped at the original count), ties broken by the
     * least wasted area, then by list order.
     */
    public static int[] selectBestResolution(int height, int width, int[][] pinpoints) {
        int[] best = null;
        long maxEffective = 0;
        long minWasted = Long.MAX_VALUE;
        for (int[] p : pinpoints) {
            int ph = p[0], pw = p[1];
            double scale = Math.min((double) pw / width, (double) ph / height);
            long dw = (long) (width * scale), dh = (long) (height * scale);
            long effective = Math.min(dw * dh, (long) width * height);
            long wasted = (long) pw * ph - effective;
            if (effective > maxEffective || (effective == maxEffective && wasted < minWasted)) {
                maxEffective = effective;
                minWasted = wasted;
                best = p;
            }
        }
        if (best == null) throw new IllegalArgumentException("no grid pinpoints to choose from");
        return best.clone();
    }
}
