package dev.jlava.reduce;

/**
 * LLaVA's {@code get_2dPool} with stride 2 on a frame's G×G token grid (row-major), applied to
 * features [G²][C] and, with the same operator, to per-token scores [G²] (HoliTom spec §3).
 *
 * <ul>
 *   <li>{@link Mode#BILINEAR} (LLaVA-OneVision): {@code F.interpolate(bilinear, align_corners=False)}
 *       to ceil(G/2)² without antialiasing: each output samples 4 inputs. 27 → 14.</li>
 *   <li>{@link Mode#AVERAGE} (LLaVA-Video evaluation): 2×2 average, stride 2, floor mode. 27 → 13,
 *       the last row and column are dropped.</li>
 *   <li>{@link Mode#MAX}: 2×2 max, floor mode (exists in LLaVA-NeXT, unused by the configs).</li>
 * </ul>
 */
public final class SpatialPooling {
    private SpatialPooling() {}

    public enum Mode {
        BILINEAR, AVERAGE, MAX;

        /** Parses {@code mm_spatial_pool_mode}. */
        public static Mode fromConfig(String s) {
            return switch (s) {
                case "bilinear" -> BILINEAR;
                case "average" -> AVERAGE;
                case "max" -> MAX;
                default -> throw new IllegalArgumentException("mm_spatial_pool_mode '" + s + "' unknown (accepted: bilinear, average, max)");
            };
        }
    }

    /** Output side for an input side {@code g}. */
    public static int outputSide(int g, Mode mode) {
        return mode == Mode.BILINEAR ? (g + 1) / 2 : g / 2;
    }

    /** Pools one frame's features [g²][C] to [side²][C]. */
    public static float[][] poolFrame(float[][] tokens, int g, Mode mode) {
        if (tokens.length != g * g) throw new IllegalArgumentException(tokens.length + " tokens are not a " + g + "x" + g + " grid");
        int side = outputSide(g, mode);
        int c = tokens.length == 0 ? 0 : tokens[0].length;
        float[][] out = new float[side * side][c];
        if (mode == Mode.BILINEAR) {
            Sample[] s = bilinearSamples(g, side);
            double[] acc = new double[c];
            for (int oy = 0; oy < side; oy++) {
                Sample y = s[oy];
                for (int ox = 0; ox < side; ox++) {
                    Sample x = s[ox];
                    float[] v00 = tokens[y.i0 * g + x.i0], v01 = tokens[y.i0 * g + x.i1];
                    float[] v10 = tokens[y.i1 * g + x.i0], v11 = tokens[y.i1 * g + x.i1];
                    double ly = y.lambda, lx = x.lambda;
                    for (int k = 0; k < c; k++) {
                        acc[k] = (1 - ly) * ((1 - lx) * v00[k] + lx * v01[k]) + ly * ((1 - lx) * v10[k] + lx * v11[k]);
                    }
                    float[] o = out[oy * side + ox];
                    for (int k = 0; k < c; k++) o[k] = (float) acc[k];
                }
            }
        } else {
            for (int oy = 0; oy < side; oy++) {
                for (int ox = 0; ox < side; ox++) {
                    float[] a = tokens[2 * oy * g + 2 * ox], b = tokens[2 * oy * g + 2 * ox + 1];
                    float[] cc = tokens[(2 * oy + 1) * g + 2 * ox], d = tokens[(2 * oy + 1) * g + 2 * ox + 1];
                    float[] o = out[oy * side + ox];
                    for (int k = 0; k < c; k++) {
                        o[k] = mode == Mode.AVERAGE
                                ? (float) (((double) a[k] + b[k] + cc[k] + d[k]) / 4)
                                : Math.max(Math.max(a[k], b[k]), Math.max(cc[k], d[k]));
                    }
                }
            }
        }
        return out;
    }

    /** Pools one frame's per-token scores [g²] with the same operator. */
    public static float[] poolScores(float[] scores, int g, Mode mode) {
        float[][] col = new float[scores.length][1];
        for (int i = 0; i < scores.length; i++) col[i][0] = scores[i];
        float[][] p = poolFrame(col, g, mode);
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) out[i] = p[i][0];
        return out;
    }

    public static float[][][] poolFrames(float[][][] frames, int g, Mode mode) {
        float[][][] out = new float[frames.length][][];
        for (int f = 0; f < frames.length; f++) out[f] = poolFrame(frames[f], g, mode);
        return out;
    }

    public static float[][] poolScores(float[][] scores, int g, Mode mode) {
        float[][] out = new float[scores.length][];
        for (int f = 0; f < scores.length; f++) out[f] = poolScores(scores[f], g, mode);
        return out;
    }

    private record Sample(int i0, int i1, float lambda) {}

    /**
     * PyTorch's source coordinates for {@code align_corners=False}: scale = (float) in/out,
     * src = max(0, scale·(o+0.5) − 0.5) rounded to float, i0 = floor(src), λ = src − i0.
     */
    private static Sample[] bilinearSamples(int in, int out) {
        float scale = (float) in / out;
        Sample[] s = new Sample[out];
        for (int o = 0; o < out; o++) {
            float src = (float) Math.max(0.0, (double) scale * (o + 0.5) - 0.5);
            int i0 = (int) Math.floor(src);
            s[o] = new Sample(i0, Math.min(i0 + 1, in - 1), src - i0);
        }
        return s;
    }
}
