package dev.jlava.app;

import dev.jlava.io.SafetensorsWriter;
import dev.jlava.reduce.CacheReducer;
import dev.jlava.reduce.LayerReducer;
import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.ReductionPlan;
import dev.jlava.reduce.ReductionPlanParser;
import dev.jlava.reduce.SpatialPooling;
import dev.jlava.reduce.TemporalWindow;
import dev.jlava.reduce.TokenKind;
import dev.jlava.reduce.VisionSignal;
import dev.jlava.reduce.VisionSignals;
import dev.jlava.reduce.VisualContext;
import dev.jlava.reduce.VisualReducer;
import dev.jlava.reduce.VisualTokens;
import dev.jlava.reduce.holitom.HoliTomInner;
import dev.jlava.reduce.holitom.HoliTomOuter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Applies the stage that runs before the decoder (HoliTom's outer stage, VisionZip's SigLIP port,
 * or none) to features someone computed elsewhere, and writes the visual token sequence with its
 * provenance in the layout of the HoliTom golden {@code outer_*} cases.
 */
@Command(name = "reduce", mixinStandardHelpOptions = true,
        description = {"Apply a visual-token reducer that runs before the decoder to precomputed features.",
                "Input (safetensors): features_729 [F,G²,D] + attn_729 [F,G²] (pooled with --pooling), or pooled_feat [F,g²,D] + pooled_attn [F,g²];"
                        + " image_newline [D]; visionzip also needs the head-mean key metric metric_729 [F,G²,dk] or pooled_metric [F,g²,dk].",
                "Output: visual_tokens [T,D] F32, provenance [T,6] I64 (kind, frame, pos, row, win_start, win_end; kind 0 dominant,"
                        + " 1 contextual, 2 static, 3 newline), and segments [W,2] I64 (HoliTom's windows of frame indices)."})
final class ReduceCommand implements Callable<Integer> {
    @Option(names = "--method", required = true, paramLabel = "SPEC",
            description = "holitom(r=..,tau=..,...) (its outer stage), visionzip(dominant=..,contextual=..) or visionzip(spatial=..), or none")
    String method;

    @Option(names = "--features", required = true, paramLabel = "IN.safetensors", description = "the precomputed features (see above)")
    Path features;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "the output file (written whole or not at all)")
    Path out;

    @Option(names = "--pooling", paramLabel = "MODE", description = "pooling of unpooled features: bilinear (LLaVA-OneVision, 27 -> 14; default) or avg (LLaVA-Video, 27 -> 13)")
    String pooling;

    @Option(names = "--newline", defaultValue = "one_token", paramLabel = "MODE",
            description = "image_newline rows: one_token (one after the video, LLaVA-OneVision; default), grid (after every row of every frame), or no_token")
    String newline;

    @Option(names = "--token-map", paramLabel = "MAP.png",
            description = "also draw which tokens survived where (on the input's frames_uint8 [F,H,W,3] U8 when present, else on grey tiles)")
    Path tokenMap;

    @Override
    public Integer call() throws IOException {
        VisualReducer reducer = outerStage(method);
        NewlineMode newlineMode = newlineMode(newline);
        SpatialPooling.Mode poolMode = poolingMode(pooling == null ? "bilinear" : pooling);
        Files2.checkWritable(out);
        if (tokenMap != null) Files2.checkWritable(tokenMap);

        FeatureFile.Contents in = FeatureFile.read(features, poolMode, reducer.signals().contains(VisionSignal.TOKEN_SCORES),
                reducer.signals().contains(VisionSignal.KEY_METRIC), newlineMode != NewlineMode.NO_TOKEN);
        if (pooling != null && !in.pooledHere()) {
            System.err.println("note: " + features.getFileName() + " holds already pooled features; --pooling " + pooling + " is not used");
        }
        FeatureFile.Frames frames = tokenMap == null ? null : FeatureFile.frames(features, in.frames());
        VisualTokens grid = VisualTokens.ofFrames(in.features(), in.grid());
        VisualTokens result = reducer.reduce(grid, new VisualContext(new VisionSignals(in.scores(), in.metric()), in.newline(), newlineMode));

        SafetensorsWriter w = new SafetensorsWriter()
                .metadata("method", reducer.describe())
                .metadata("features", features.getFileName() + ": " + in.source())
                .metadata("grid", in.grid() + "x" + in.grid())
                .metadata("pooling", in.pooledHere() ? poolMode.name().toLowerCase(Locale.ROOT) : "already pooled")
                .metadata("newline", newlineMode.name().toLowerCase(Locale.ROOT));
        w.addF32("visual_tokens", flat(result, in.dim()), result.size(), in.dim());
        w.addI64("provenance", flat(result.provenance(), 6), result.size(), 6);
        if (reducer instanceof HoliTomOuter) {
            List<TemporalWindow> segs = result.segments();
            long[] s = new long[segs.size() * 2];
            for (int i = 0; i < segs.size(); i++) {
                s[2 * i] = segs.get(i).start();
                s[2 * i + 1] = segs.get(i).end();
            }
            w.addI64("segments", s, segs.size(), 2);
        }
        w.write(out);
        if (tokenMap != null) {
            TokenMap.write(tokenMap, frames == null ? null : frames.images(), frames == null ? null : frames.indices(), result,
                    reducer.describe() + "  ·  " + features.getFileName());
        }

        int gridTokens = grid.size(), visual = result.size() - result.count(TokenKind.NEWLINE);
        System.out.printf(Locale.ROOT, "%s: %d frames x %dx%d = %d tokens -> %d (%.1f%%: %d dominant, %d contextual, %d static) + %d newline%s -> %s%n",
                reducer.describe(), in.frames(), in.grid(), in.grid(), gridTokens, visual, 100.0 * visual / gridTokens,
                result.count(TokenKind.DOMINANT), result.count(TokenKind.CONTEXTUAL), result.count(TokenKind.STATIC),
                result.count(TokenKind.NEWLINE), reducer instanceof HoliTomOuter ? ", windows " + result.segments() : "", out);
        return 0;
    }

    /** The plan's stage before the decoder; stages that act inside the decoder do not apply to features. */
    static VisualReducer outerStage(String spec) {
        ReductionPlan plan = ReductionPlanParser.parse(spec);
        List<String> inside = new ArrayList<>();
        List<String> ignoredInner = new ArrayList<>();
        for (LayerReducer l : plan.layers()) {
            // holitom(...) with k carries its inner merge: the outer part still applies
            if (l instanceof HoliTomInner in && plan.outer().orElse(null) instanceof HoliTomOuter) ignoredInner.add("k=" + in.layer() + ", mr=" + in.ratio());
            else inside.add(l.describe() + " runs inside the decoder (prefill)");
        }
        plan.cache().map(CacheReducer::describe).ifPresent(c -> inside.add(c + " runs while decoding"));
        if (!inside.isEmpty()) {
            throw new UserError("--method '" + spec + "': only outer stages apply to features (holitom's outer stage, visionzip, or none); "
                    + String.join("; ", inside));
        }
        if (!ignoredInner.isEmpty()) {
            System.err.println("note: holitom's inner merge (" + String.join(", ", ignoredInner) + ") acts inside the decoder and is not applied here");
        }
        return plan.outerOrNone();
    }

    static NewlineMode newlineMode(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "one_token" -> NewlineMode.ONE_TOKEN;
            case "grid" -> NewlineMode.GRID;
            case "no_token" -> NewlineMode.NO_TOKEN;
            default -> throw new UserError("--newline " + s + ": accepted one_token, grid, no_token");
        };
    }

    static SpatialPooling.Mode poolingMode(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "bilinear" -> SpatialPooling.Mode.BILINEAR;
            case "avg", "average" -> SpatialPooling.Mode.AVERAGE;
            default -> throw new UserError("--pooling " + s + ": accepted bilinear, avg");
        };
    }

    private static float[] flat(VisualTokens t, int dim) {
        float[] out = new float[t.size() * dim];
        for (int i = 0; i < t.size(); i++) System.arraycopy(t.row(i), 0, out, i * dim, dim);
        return out;
    }

    private static long[] flat(long[][] rows, int cols) {
        long[] out = new long[rows.length * cols];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * cols, cols);
        return out;
    }
}
