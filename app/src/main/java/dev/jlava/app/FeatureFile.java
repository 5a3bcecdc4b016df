package dev.jlava.app;

import dev.jlava.io.ModelFileException;
import dev.jlava.io.Safetensors;
import dev.jlava.reduce.SpatialPooling;
import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import dev.jlava.vision.image.RgbImage;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The input of {@code jlava reduce}: precomputed visual features in a safetensors file, with the
 * tensor names of the HoliTom golden {@code outer_*} cases (aliases: the LLaVA-OV golden's
 * {@code video_features.safetensors} names).
 *
 * <ul>
 *   <li>Unpooled, on the tower's G×G grid (pooled here with {@link SpatialPooling}):
 *       {@code features_729} [F, G², D], {@code attn_729} [F, G²], {@code metric_729} [F, G², dk].</li>
 *   <li>Already pooled, on a g×g grid: {@code pooled_feat} [F, g², D], {@code pooled_attn} [F, g²],
 *       {@code pooled_metric} [F, g², dk].</li>
 *   <li>{@code image_newline} [D], needed unless there are no newline rows.</li>
 * </ul>
 * Optionally {@code frames_uint8} [F, H, W, 3] U8 and {@code frame_indices} [F] for the token map.
 * A rank-one-lower tensor ([G², D], [G²]) is one frame. Scores and metric are read only when the
 * reducer asks for them (HoliTom: scores; VisionZip: scores and the key metric).
 */
final class FeatureFile {
    private FeatureFile() {}

    /** The tensor names tried for one input, unpooled first. */
    record Names(String what, List<String> unpooled, List<String> pooled) {
        String accepted(boolean unpooledLevel) {
            return String.join(" or ", unpooledLevel ? unpooled : pooled);
        }
    }

    static final Names FEATURES = new Names("features", List.of("features_729", "projected"), List.of("pooled_feat", "pooled"));
    static final Names SCORES = new Names("attention scores", List.of("attn_729", "siglip_attn_score"), List.of("pooled_attn", "pooled_attn_score"));
    static final Names METRIC = new Names("key metric", List.of("metric_729"), List.of("pooled_metric"));
    static final String NEWLINE = "image_newline";

    /**
     * What the reducer receives, on the pooled grid.
     *
     * @param features  [F][g²][D]
     * @param scores    [F][g²], null unless asked for
     * @param metric    [F][g²][dk], null unless asked for
     * @param newline   [D], null unless asked for
     * @param pooledHere whether this class pooled the tensors (false: they were already pooled)
     * @param source    the tensors read, e.g. {@code features_729 [16, 729, 64]}
     */
    record Contents(float[][][] features, float[][] scores, float[][][] metric, float[] newline, int grid, int dim,
                    boolean pooledHere, String source) {
        int frames() { return features.length; }
    }

    static Contents read(Path file, SpatialPooling.Mode pooling, boolean needScores, boolean needMetric, boolean needNewline) {
        if (!Files.exists(file)) throw new ModelFileException(file, "no such file");
        if (!Files.isRegularFile(file)) throw new ModelFileException(file, "is not a file");
        if (!Files.isReadable(file)) throw new ModelFileException(file, "cannot read (permission denied)");
        try (Safetensors st = Safetensors.open(file)) {
            String feat = first(st, FEATURES.unpooled());
            boolean unpooled = feat != null;
            if (!unpooled) feat = first(st, FEATURES.pooled());
            if (feat == null) {
                throw new ModelFileException(file, "no features tensor; accepted: " + FEATURES.accepted(true) + " [F, G², D] (pooled with --pooling), or "
                        + FEATURES.accepted(false) + " [F, g², D] (already pooled); the file has " + listNames(st.names()));
            }
            Tensor ft = floating(file, st.get(feat));
            if (ft.rank() != 2 && ft.rank() != 3) {
                throw new ModelFileException(file, "tensor '" + feat + "' has shape " + Arrays.toString(ft.shape()) + "; expected [frames, tokens, dim] or [tokens, dim]");
            }
            boolean oneFrame = ft.rank() == 2;
            int frames = oneFrame ? 1 : Math.toIntExact(ft.dim(0));
            int tokens = Math.toIntExact(ft.dim(ft.rank() - 2));
            int dim = Math.toIntExact(ft.dim(ft.rank() - 1));
            int side = squareSide(tokens);
            if (frames < 1 || dim < 1 || side < 1) {
                throw new ModelFileException(file, "tensor '" + feat + "' has shape " + Arrays.toString(ft.shape())
                        + "; expected at least one frame, a square grid of tokens (e.g. 729 = 27x27) and dim >= 1");
            }
            if (unpooled && side < 2) throw new ModelFileException(file, "tensor '" + feat + "' is a 1x1 grid; there is nothing to pool");
            long[] gridShape = oneFrame ? new long[] {tokens} : new long[] {frames, tokens};
            String level = "for '" + feat + "'";

            float[][][] x = cube(ft, frames, tokens, dim);
            float[][] scores = null;
            float[][][] metric = null;
            float[] newline = null;
            StringBuilder source = new StringBuilder(feat + " " + Arrays.toString(ft.shape()));
            if (needScores) {
                String n = require(st, file, SCORES, unpooled, level);
                Tensor t = floating(file, st.get(n));
                if (!Arrays.equals(t.shape(), gridShape)) {
                    throw new ModelFileException(file, "tensor '" + n + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                            + Arrays.toString(gridShape) + " to match '" + feat + "' " + Arrays.toString(ft.shape()));
                }
                scores = matrix(t, frames, tokens);
                source.append(", ").append(n).append(" ").append(Arrays.toString(t.shape()));
            }
            if (needMetric) {
                String n = require(st, file, METRIC, unpooled, level);
                Tensor t = floating(file, st.get(n));
                boolean ok = t.rank() == gridShape.length + 1 && Arrays.equals(Arrays.copyOf(t.shape(), gridShape.length), gridShape) && t.cols() >= 1;
                if (!ok) {
                    throw new ModelFileException(file, "tensor '" + n + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                            + Arrays.toString(gridShape).replace("]", ", head_dim]") + " to match '" + feat + "' " + Arrays.toString(ft.shape()));
                }
                metric = cube(t, frames, tokens, Math.toIntExact(t.cols()));
                source.append(", ").append(n).append(" ").append(Arrays.toString(t.shape()));
            }
            if (needNewline) {
                if (!st.has(NEWLINE)) {
                    throw new ModelFileException(file, "missing tensor '" + NEWLINE + "' [" + dim + "], needed for newline rows (use --newline no_token to leave them out)");
                }
                Tensor t = floating(file, st.get(NEWLINE));
                if (t.rank() != 1 || t.dim(0) != dim) {
                    throw new ModelFileException(file, "tensor '" + NEWLINE + "' has shape " + Arrays.toString(t.shape()) + ", expected [" + dim + "] like the features");
                }
                newline = t.toFloatArray();
            }
            int grid = side;
            if (unpooled) {
                x = SpatialPooling.poolFrames(x, side, pooling);
                if (scores != null) scores = SpatialPooling.poolScores(scores, side, pooling);
                if (metric != null) metric = SpatialPooling.poolFrames(metric, side, pooling);
                grid = SpatialPooling.outputSide(side, pooling);
            }
            return new Contents(x, scores, metric, newline, grid, dim, unpooled, source.toString());
        }
    }

    static final String FRAMES = "frames_uint8", FRAME_INDICES = "frame_indices";

    /** The file's optional {@code frames_uint8} [F, H, W, 3] U8 (and {@code frame_indices} [F]), for a token map; null when absent. */
    static Frames frames(Path file, int frames) {
        try (Safetensors st = Safetensors.open(file)) {
            if (!st.has(FRAMES)) return null;
            Tensor t = st.get(FRAMES);
            long[] s = t.shape();
            if (t.dtype() != DType.U8 || s.length != 4 || s[0] != frames || s[3] != 3 || s[1] < 1 || s[2] < 1) {
                throw new ModelFileException(file, "tensor '" + FRAMES + "' is " + t.dtype() + " " + Arrays.toString(s) + ", expected U8 ["
                        + frames + ", height, width, 3] (RGB, one per frame of the features)");
            }
            int h = Math.toIntExact(s[1]), w = Math.toIntExact(s[2]);
            long bytes = (long) h * w * 3;
            List<RgbImage> out = new ArrayList<>();
            for (int f = 0; f < frames; f++) {
                out.add(new RgbImage(w, h, t.data().asSlice(f * bytes, bytes).toArray(ValueLayout.JAVA_BYTE)));
            }
            int[] indices = null;
            if (st.has(FRAME_INDICES)) {
                Tensor i = st.get(FRAME_INDICES);
                if (i.rank() != 1 || i.dim(0) != frames) {
                    throw new ModelFileException(file, "tensor '" + FRAME_INDICES + "' has shape " + Arrays.toString(i.shape()) + ", expected [" + frames + "]");
                }
                indices = i.toIntArray();
            }
            return new Frames(out, indices);
        }
    }

    record Frames(List<RgbImage> images, int[] indices) {}

    private static String first(Safetensors st, List<String> names) {
        for (String n : names) if (st.has(n)) return n;
        return null;
    }

    private static String require(Safetensors st, Path file, Names names, boolean unpooled, String level) {
        String n = first(st, unpooled ? names.unpooled() : names.pooled());
        if (n != null) return n;
        String other = first(st, unpooled ? names.pooled() : names.unpooled());
        String hint = other == null ? "" : "; '" + other + "' is there but belongs with " + (unpooled ? "already pooled" : "unpooled") + " features";
        throw new ModelFileException(file, "missing tensor " + names.accepted(unpooled) + ": the " + names.what() + " " + level
                + " (for " + (unpooled ? "already pooled" : "unpooled") + " features: " + names.accepted(!unpooled) + ")" + hint
                + "; the file has " + listNames(st.names()));
    }

    private static Tensor floating(Path file, Tensor t) {
        if (!Set.of(DType.F32, DType.F16, DType.BF16, DType.F64).contains(t.dtype())) {
            throw new ModelFileException(file, "tensor '" + t.name() + "' has dtype " + t.dtype() + "; expected F32, F16, BF16 or F64");
        }
        return t;
    }

    private static int squareSide(int n) {
        int s = (int) Math.round(Math.sqrt(n));
        return s * s == n ? s : -1;
    }

    private static String listNames(Set<String> names) {
        if (names.isEmpty()) return "no tensors";
        List<String> sorted = names.stream().sorted().toList();
        return sorted.size() <= 12 ? String.join(", ", sorted) : String.join(", ", sorted.subList(0, 12)) + ", ... (" + sorted.size() + " tensors)";
    }

    private static float[][][] cube(Tensor t, int frames, int tokens, int dim) {
        float[][][] out = new float[frames][tokens][dim];
        for (int f = 0; f < frames; f++) {
            for (int p = 0; p < tokens; p++) t.rowToFloats((long) f * tokens + p, out[f][p], 0);
        }
        return out;
    }

    private static float[][] matrix(Tensor t, int frames, int tokens) {
        float[] all = t.toFloatArray();
        float[][] out = new float[frames][tokens];
        for (int f = 0; f < frames; f++) System.arraycopy(all, f * tokens, out[f], 0, tokens);
        return out;
    }
}
