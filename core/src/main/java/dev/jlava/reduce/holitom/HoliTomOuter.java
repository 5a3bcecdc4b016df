package dev.jlava.reduce.holitom;

import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.Newlines;
import dev.jlava.reduce.SpatialPooling;
import dev.jlava.reduce.TemporalWindow;
import dev.jlava.reduce.TokenKind;
import dev.jlava.reduce.TokenOrigin;
import dev.jlava.reduce.VisionSignal;
import dev.jlava.reduce.VisualContext;
import dev.jlava.reduce.VisualReducer;
import dev.jlava.reduce.VisualTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * HoliTom's outer-LLM stage (spec §4–§9), on pooled features [F][N][C] in the LLM embedding space
 * and the pooled per-token SigLIP attention [F][N]:
 * frame similarity → DP temporal segmentation → retain-ratio rescale → per window, static tokens
 * averaged over the window and density-merged, each frame's dynamic tokens reduced by attention
 * (and density when D &gt; 0) → ordering and newline rows.
 */
public final class HoliTomOuter implements VisualReducer {
    private final HoliTomConfig config;

    public HoliTomOuter(HoliTomConfig config) {
        this.config = config;
    }

    public HoliTomConfig config() {
        return config;
    }

    /** Per window: what went in and what came out (the golden JSONs' {@code windows}). */
    public record WindowReport(TemporalWindow window, int staticIn, int staticClusters, int dynamicPerFrame,
                               int dominantPerFrame, int contextualPerFrame, int firstRow, int rowCount) {}

    /**
     * @param tokens        the final visual sequence
     * @param featureSim    [F−1][N]
     * @param rescaledRatio r' (spec §6)
     */
    public record Result(VisualTokens tokens, float[][] featureSim, TemporalSegmenter.Segmentation segmentation,
                         double rescaledRatio, List<WindowReport> windows) {}

    @Override
    public Set<VisionSignal> signals() {
        return Set.of(VisionSignal.TOKEN_SCORES);
    }

    @Override
    public VisualTokens reduce(VisualTokens grid, VisualContext context) {
        float[][] attn = context.signals().requireTokenScores("holitom");
        int n = grid.tokensPerFrame();
        if (grid.size() != grid.frames() * n) {
            throw new IllegalArgumentException("holitom expects the " + grid.frames() + "x" + n + " grid tokens without newlines, got " + grid.size() + " rows");
        }
        float[][][] frames = new float[grid.frames()][n][];
        for (int i = 0; i < grid.size(); i++) frames[i / n][i % n] = grid.row(i);
        return run(frames, attn, grid.grid(), context.imageNewline(), context.newlineMode()).tokens();
    }

    /** From the projected but unpooled features [F][g²][C] and scores [F][g²]: pools both with {@code mode} first. */
    public Result runUnpooled(float[][][] features, float[][] scores, int g, SpatialPooling.Mode mode, float[] newline, NewlineMode newlineMode) {
        return run(SpatialPooling.poolFrames(features, g, mode), SpatialPooling.poolScores(scores, g, mode),
                SpatialPooling.outputSide(g, mode), newline, newlineMode);
    }

    /**
     * @param x       pooled features [F][N][C], N = grid²
     * @param attn    pooled attention scores [F][N]
     * @param newline the model's {@code image_newline} (needed unless {@code NO_TOKEN})
     */
    public Result run(float[][][] x, float[][] attn, int grid, float[] newline, NewlineMode newlineMode) {
        int frames = x.length, n = grid * grid;
        if (frames == 0) throw new IllegalArgumentException("holitom needs at least one frame");
        if (attn.length != frames) throw new IllegalArgumentException(attn.length + " attention rows for " + frames + " frames");
        for (int t = 0; t < frames; t++) {
            if (x[t].length != n || attn[t].length != n) {
                throw new IllegalArgumentException("frame " + t + ": " + x[t].length + " tokens and " + attn[t].length + " scores, expected " + n);
            }
        }
        if (newlineMode != NewlineMode.NO_TOKEN && newline == null) throw new IllegalArgumentException("holitom with " + newlineMode + " needs image_newline");

        float[][] sim = FrameSimilarity.compute(x);
        TemporalSegmenter.Segmentation seg = TemporalSegmenter.segment(sim, frames, config.tau(), config.maxWindow());
        double ratio = TokenBudget.rescaledRatio(config.retainRatio(), frames, n, seg.totalReduced());
        ClusterMerge.Rule rule = config.mergeRule();

        VisualTokens.Builder out = new VisualTokens.Builder(frames, grid);
        out.segments(seg.windows());
        List<WindowReport> reports = new ArrayList<>();
        for (TemporalWindow w : seg.windows()) {
            int firstRow = out.size();
            StaticDynamicSplit.WindowSplit split = StaticDynamicSplit.split(x, attn, sim, config.tau(), w);
            List<Token> statics = new ArrayList<>();
            int staticClusters = 0;
            if (w.length() > 1) {
                Merged st = StaticTokenMerge.reduce(split.staticFeat(), split.staticPos(), ratio, rule, config.knn()).merged();
                staticClusters = st.size();
                for (int j = 0; j < st.size(); j++) {
                    int[] ids = new int[st.members()[j].length * w.length()];
                    int q = 0;
                    for (int m : st.members()[j]) for (int t = w.start(); t <= w.end(); t++) ids[q++] = t * n + split.staticPos()[m];
                    Arrays.sort(ids);
                    statics.add(new Token(st.tokens()[j], TokenOrigin.of(TokenKind.STATIC, w.start(), st.pos()[j], grid, w, ids)));
                }
                if (st.size() == 0) {
                    for (int p : split.staticPos()) for (int t = w.start(); t <= w.end(); t++) out.drop(t * n + p);
                }
            }
            List<List<Token>> perFrame = new ArrayList<>();
            int dom = 0, ctx = 0;
            for (int t = w.start(); t <= w.end(); t++) {
                int fi = t - w.start();
                Merged dyn = DynamicTokenMerge.reduce(split.dynamicFeat()[fi], split.dynamicAttn()[fi], split.dynamicPos(),
                        ratio, config.d(), rule, config.knn()).merged();
                boolean[] used = new boolean[split.dynamicPos().length];
                List<Token> tokens = new ArrayList<>();
                dom = 0;
                ctx = 0;
                for (int j = 0; j < dyn.size(); j++) {
                    int[] ids = new int[dyn.members()[j].length];
                    for (int q = 0; q < ids.length; q++) {
                        used[dyn.members()[j][q]] = true;
                        ids[q] = t * n + split.dynamicPos()[dyn.members()[j][q]];
                    }
                    Arrays.sort(ids);
                    if (dyn.kinds()[j] == TokenKind.DOMINANT) dom++;
                    else ctx++;
                    tokens.add(new Token(dyn.tokens()[j], TokenOrigin.of(dyn.kinds()[j], t, dyn.pos()[j], grid, w, ids)));
                }
                for (int i = 0; i < used.length; i++) if (!used[i]) out.drop(t * n + split.dynamicPos()[i]);
                perFrame.add(tokens);
            }
            if (newlineMode == NewlineMode.GRID) {
                for (int fi = 0; fi < perFrame.size(); fi++) {
                    List<Token> frameTokens = new ArrayList<>(perFrame.get(fi));
                    if (fi == 0) frameTokens.addAll(statics);
                    frameTokens.sort(Comparator.comparingInt(tk -> tk.origin.pos()));
                    float[][] rows = new float[frameTokens.size()][];
                    TokenOrigin[] origins = new TokenOrigin[frameTokens.size()];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = frameTokens.get(i).row;
                        origins[i] = frameTokens.get(i).origin;
                    }
                    Newlines.emitGridFrame(out, rows, origins, w.start() + fi, grid, newline, w, false);
                }
            } else {
                for (Token tk : statics) out.add(tk.row, tk.origin);
                for (List<Token> frameTokens : perFrame) for (Token tk : frameTokens) out.add(tk.row, tk.origin);
            }
            reports.add(new WindowReport(w, split.staticPos().length, staticClusters, split.dynamicPos().length, dom, ctx,
                    firstRow, out.size() - firstRow));
        }
        if (newlineMode == NewlineMode.ONE_TOKEN) out.add(newline, TokenOrigin.trailingNewline());
        return new Result(out.build(), sim, seg, ratio, List.copyOf(reports));
    }

    private record Token(float[] row, TokenOrigin origin) {}

    @Override
    public String describe() {
        return "holitom(r=" + config.retainRatio() + ",tau=" + config.tau() + ",beta=" + config.beta() + ",d=" + config.d()
                + ",knn=" + config.knn() + (config.maxWindow() != 1024 ? ",maxwindow=" + config.maxWindow() : "")
                + (config.plainMean() ? ",nobeta=1" : "") + ")";
    }
}
