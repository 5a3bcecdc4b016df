package dev.jlava.llava;

/**
 * Feature maps [rows][cols][dim] of the OneVision anyres image path: the grid crops' features laid
 * out as one map, unpadded to the original aspect, and shrunk by bilinear interpolation when larger
 * than anyres_max_N allows (transformers' {@code pack_image_features} semantics).
 */
final class FeatureMaps {
    private FeatureMaps() {}

    /** Lays out gridRows x gridCols crops of side x side tokens into one (gridRows*side) x (gridCols*side) map. */
    static float[][][] tile(float[] crops, int firstCrop, int gridRows, int gridCols, int side, int dim) {
        float[][][] map = new float[gridRows * side][gridCols * side][];
        for (int gr = 0; gr < gridRows; gr++) {
            for (int gc = 0; gc < gridCols; gc++) {
                int crop = firstCrop + gr * gridCols + gc;
                for (int r = 0; r < side; r++) {
                    for (int c = 0; c < side; c++) {
                        int t = crop * side * side + r * side + c;
                        float[] v = new float[dim];
                        System.arraycopy(crops, t * dim, v, 0, dim);
                        map[gr * side + r][gc * side + c] = v;
                    }
                }
            }
        }
        return map;
    }

    /** Cuts the padding rows or columns so the map has the original image's aspect (unpad_image). */
    static float[][][] unpad(float[][][] map, int originalHeight, int originalWidth) {
        int h = map.length, w = map[0].length;
        double originalAspect = (double) originalWidth / originalHeight;
        double currentAspect = (double) w / h;
        if (originalAspect > currentAspect) {
            double scale = (double) w / originalWidth;
            int newH = (int) roundTo7(originalHeight * scale);
            int pad = (h - newH) / 2;
            float[][][] out = new float[h - 2 * pad][][];
            System.arraycopy(map, pad, out, 0, out.length);
            return out;
        }
        double scale = (double) h / originalHeight;
        int newW = (int) roundTo7(originalWidth * scale);
        int pad = (w - newW) / 2;
        float[][][] out = new float[h][w - 2 * pad][];
        for (int r = 0; r < h; r++) System.arraycopy(map[r], pad, out[r], 0, w - 2 * pad);
        return out;
    }

    private static double roundTo7(double x) {
        return Math.rint(x * 1e7) / 1e7;
    }

    /** PyTorch bilinear interpolation, align_corners=False, no antialias. */
    static float[][][] bilinear(float[][][] map, int outH, int outW) {
        int inH = map.length, inW = map[0].length, dim = map[0][0].length;
        float[][][] out = new float[outH][outW][dim];
        float sh = (float) inH / outH, sw = (float) inW / outW;
        for (int y = 0; y < outH; y++) {
            float sy = Math.max(0f, (y + 0.5f) * sh - 0.5f);
            int y0 = Math.min((int) sy, inH - 1), y1 = Math.min(y0 + 1, inH - 1);
            float ly = sy - y0;
            for (int x = 0; x < outW; x++) {
                float sx = Math.max(0f, (x + 0.5f) * sw - 0.5f);
                int x0 = Math.min((int) sx, inW - 1), x1 = Math.min(x0 + 1, inW - 1);
                float lx = sx - x0;
                float[] o = out[y][x];
                for (int d = 0; d < dim; d++) {
                    float top = map[y0][x0][d] * (1 - lx) + map[y0][x1][d] * lx;
                    float bot = map[y1][x0][d] * (1 - lx) + map[y1][x1][d] * lx;
                    o[d] = top * (1 - ly) + bot * ly;
                }
            }
        }
        return out;
    }
}
