package dev.jlava.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.reduce.fastv.FastV;
import dev.jlava.reduce.holitom.HoliTomConfig;
import dev.jlava.reduce.holitom.HoliTomInner;
import dev.jlava.reduce.holitom.HoliTomInnerMerge;
import dev.jlava.reduce.holitom.HoliTomOuter;
import dev.jlava.reduce.holitom.TemporalSegmenter;
import dev.jlava.reduce.holitom.TokenBudget;
import dev.jlava.reduce.st3.ProgressiveVisualTokenPruning;
import dev.jlava.reduce.st3.VisualTokenAnnealing;
import dev.jlava.reduce.visionzip.VisionZip;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Invariants of every stage on random inputs of shapes the goldens do not have. */
class ReductionPropertiesTest {

    /** Random video features with static stretches, so that temporal windows form. */
    static float[][][] video(Random rnd, int frames, int n, int c) {
        float[][][] x = new float[frames][n][c];
        float[][] scene = randomRows(rnd, n, c);
        for (int t = 0; t < frames; t++) {
            if (rnd.nextInt(3) == 0) scene = randomRows(rnd, n, c); // a cut
            for (int p = 0; p < n; p++) {
                boolean moving = rnd.nextInt(4) == 0;
                for (int k = 0; k < c; k++) x[t][p][k] = moving ? (float) rnd.nextGaussian() : scene[p][k] + 0.05f * (float) rnd.nextGaussian();
            }
        }
        return x;
    }

    static float[][] randomRows(Random rnd, int n, int c) {
        float[][] r = new float[n][c];
        for (float[] row : r) for (int k = 0; k < c; k++) row[k] = (float) rnd.nextGaussian();
        return r;
    }

    static float[][] softmaxRows(Random rnd, int frames, int n) {
        float[][] a = new float[frames][n];
        for (float[] row : a) {
            double s = 0;
            double[] e = new double[n];
            for (int i = 0; i < n; i++) s += e[i] = Math.exp(2 * rnd.nextGaussian());
            for (int i = 0; i < n; i++) row[i] = (float) (e[i] / s);
        }
        return a;
    }

    @Property(tries = 150)
    void holitomOuterAccountsForEveryTokenAndFollowsTheCountFormulas(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 7) int frames, @ForAll @IntRange(min = 2, max = 7) int grid,
            @ForAll @DoubleRange(min = 0.02, max = 1.0) double r, @ForAll @DoubleRange(min = 0.3, max = 0.99) double tau,
            @ForAll @DoubleRange(min = 0, max = 1) double d, @ForAll @IntRange(min = 1, max = 8) int knn, @ForAll NewlineMode mode) {
        Random rnd = new Random(seed);
        int n = grid * grid, c = 1 + rnd.nextInt(6);
        float[][][] x = video(rnd, frames, n, c);
        float[][] attn = softmaxRows(rnd, frames, n);
        float[] newline = randomRows(rnd, 1, c)[0];
        HoliTomOuter.Result res = new HoliTomOuter(new HoliTomConfig(r, tau, 0.6, d, knn, 1 + rnd.nextInt(8), rnd.nextBoolean()))
                .run(x, attn, grid, newline, mode);
        VisualTokens v = res.tokens();
        v.checkAccounting();

        // counts: per window round(S·r') static clusters (windows of 2+ frames) and W·ceil(L·r') per-frame tokens
        double rp = res.rescaledRatio();
        assertThat(rp).isEqualTo(TokenBudget.rescaledRatio(r, frames, n, res.segmentation().totalReduced()));
        int expectedGrid = 0;
        for (HoliTomOuter.WindowReport w : res.windows()) {
            int staticExpected = w.window().length() > 1 ? TokenBudget.staticKeep(w.staticIn(), rp) : 0;
            assertThat(w.staticClusters()).isEqualTo(staticExpected);
            assertThat(w.dominantPerFrame() + w.contextualPerFrame()).isEqualTo(TokenBudget.dynamicKeep(w.dynamicPerFrame(), rp));
            assertThat(w.dominantPerFrame()).isEqualTo(TokenBudget.dominant(TokenBudget.dynamicKeep(w.dynamicPerFrame(), rp), d));
            assertThat(w.staticIn() + w.dynamicPerFrame()).isEqualTo(n);
            expectedGrid += staticExpected + w.window().length() * (w.dominantPerFrame() + w.contextualPerFrame());
        }
        int newlines = v.count(TokenKind.NEWLINE);
        assertThat(v.size() - newlines).isEqualTo(expectedGrid);
        // P(s,e) removal: the windows tile the frames and R is what their static sets remove
        long removed = 0;
        int next = 0;
        for (HoliTomOuter.WindowReport w : res.windows()) {
            assertThat(w.window().start()).isEqualTo(next);
            next = w.window().end() + 1;
            removed += (long) (w.window().length() - 1) * w.staticIn();
        }
        assertThat(next).isEqualTo(frames);
        assertThat(removed).isEqualTo(res.segmentation().totalReduced());

        // positions: within each frame block, strictly increasing (grid) / per kind run (otherwise)
        Set<String> rowsWithTokens = new HashSet<>();
        TokenOrigin prev = null;
        for (TokenOrigin o : v.origins()) {
            if (o.kind() == TokenKind.NEWLINE) {
                prev = null;
                continue;
            }
            rowsWithTokens.add(o.frame() + ":" + o.row());
            if (prev != null && prev.frame() == o.frame() && (mode == NewlineMode.GRID || prev.kind() == o.kind())) {
                assertThat(o.pos()).isGreaterThan(prev.pos());
            }
            prev = o;
        }
        switch (mode) {
            case ONE_TOKEN -> assertThat(newlines).isEqualTo(1);
            case NO_TOKEN -> assertThat(newlines).isZero();
            case GRID -> assertThat(newlines).isEqualTo(rowsWithTokens.size());
        }
        if (mode == NewlineMode.GRID) {
            // each newline closes the row of the token before it
            for (int i = 1; i < v.size(); i++) {
                if (v.isNewline(i)) {
                    assertThat(v.isNewline(i - 1)).isFalse();
                    assertThat(v.origin(i).row()).isEqualTo(v.origin(i - 1).row());
                    assertThat(v.origin(i).frame()).isEqualTo(v.origin(i - 1).frame());
                }
            }
        }
    }

    @Property(tries = 60)
    void holitomThatKeepsEverythingEqualsNone(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int frames,
                                              @ForAll @IntRange(min = 2, max = 6) int grid, @ForAll NewlineMode mode) {
        Random rnd = new Random(seed);
        int n = grid * grid, c = 1 + rnd.nextInt(5);
        float[][][] x = video(rnd, frames, n, c);
        float[][] attn = softmaxRows(rnd, frames, n);
        float[] newline = randomRows(rnd, 1, c)[0];
        // r = 1 keeps every dynamic token; tau = 1 makes nothing static
        VisualTokens h = new HoliTomOuter(new HoliTomConfig(1.0, 1.0, 0.6, 0, 7, 1024, false)).run(x, attn, grid, newline, mode).tokens();
        VisualTokens none = VisualReducer.NONE.reduce(VisualTokens.ofFrames(x, grid), new VisualContext(null, newline, mode));
        assertSameRowsAndPlaces(h, none);
    }

    @Property(tries = 60)
    void visionZipThatKeepsEverythingEqualsNone(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int frames,
                                                @ForAll @IntRange(min = 2, max = 6) int grid, @ForAll NewlineMode mode) {
        Random rnd = new Random(seed);
        int n = grid * grid, c = 1 + rnd.nextInt(5);
        float[][][] x = video(rnd, frames, n, c);
        float[][][] metric = new float[frames][][];
        for (int f = 0; f < frames; f++) metric[f] = randomRows(rnd, n, 3);
        float[] newline = randomRows(rnd, 1, c)[0];
        VisualTokens grid0 = VisualTokens.ofFrames(x, grid);
        VisualContext ctx = new VisualContext(new VisionSignals(softmaxRows(rnd, frames, n), metric), newline, mode);
        VisualTokens z = new VisionZip(n, 0).reduce(grid0, ctx);
        assertSameRowsAndPlaces(z, VisualReducer.NONE.reduce(grid0, ctx));
        VisualTokens some = new VisionZip(1 + rnd.nextInt(n), rnd.nextInt(n)).reduce(grid0, ctx);
        some.checkAccounting();
    }

    static void assertSameRowsAndPlaces(VisualTokens a, VisualTokens b) {
        assertThat(a.size()).isEqualTo(b.size());
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.row(i)).as("row %d", i).containsExactly(b.row(i));
            assertThat(a.origin(i).kind()).isEqualTo(b.origin(i).kind());
            assertThat(a.origin(i).frame()).isEqualTo(b.origin(i).frame());
            assertThat(a.origin(i).pos()).isEqualTo(b.origin(i).pos());
            assertThat(a.origin(i).row()).isEqualTo(b.origin(i).row());
        }
    }

    // ---- layer stages

    /** A random prompt: text, a visual span (optionally closed by a newline), text. */
    record Prompt(LayerState state, int textBefore, int visual, boolean trailingNewline) {}

    static Prompt prompt(Random rnd, int layer, boolean hidden) {
        int before = rnd.nextInt(6), visual = 1 + rnd.nextInt(60), after = 1 + rnd.nextInt(6);
        boolean nl = rnd.nextBoolean();
        int span = visual + (nl ? 1 : 0), len = before + span + after;
        int[] vis = new int[span];
        boolean[] isNl = new boolean[span];
        for (int i = 0; i < span; i++) vis[i] = before + i;
        if (nl) isNl[span - 1] = true;
        float[] attn = new float[len];
        double s = 0;
        for (int i = 0; i < len; i++) s += attn[i] = (float) Math.exp(rnd.nextGaussian());
        for (int i = 0; i < len; i++) attn[i] /= (float) s;
        if (rnd.nextInt(4) == 0) attn[vis[rnd.nextInt(span)]] = attn[vis[0]]; // a tie
        float[][] h = hidden ? randomRows(rnd, span, 1 + rnd.nextInt(6)) : null;
        return new Prompt(new LayerState(layer, len, vis, isNl, h, attn, visual), before, visual, nl);
    }

    static void assertTextAndOrderKept(Prompt p, LayerDecision d) {
        int[] keep = d.keep();
        for (int i = 1; i < keep.length; i++) assertThat(keep[i]).isGreaterThan(keep[i - 1]);
        Set<Integer> kept = new HashSet<>();
        for (int k : keep) kept.add(k);
        Set<Integer> visual = new HashSet<>();
        for (int v : p.state().visualIndices()) visual.add(v);
        for (int i = 0; i < p.state().sequenceLength(); i++) if (!visual.contains(i)) assertThat(kept).contains(i);
        for (int r : d.replaced()) assertThat(kept).contains(r);
    }

    static int keptVisual(Prompt p, LayerDecision d, boolean newlineToo) {
        int c = 0;
        Set<Integer> k = new HashSet<>();
        for (int i : d.keep()) k.add(i);
        for (int i = 0; i < p.state().visualIndices().length; i++) {
            if (k.contains(p.state().visualIndices()[i]) && (newlineToo || !p.state().newline()[i])) c++;
        }
        return c;
    }

    @Property(tries = 300)
    void fastvKeepsTheFormulaCountTextAndNewlines(@ForAll long seed, @ForAll @DoubleRange(min = 0, max = 1) double r) {
        Prompt p = prompt(new Random(seed), 2, false);
        LayerDecision d = new FastV(2, r).decide(p.state());
        assertTextAndOrderKept(p, d);
        assertThat(keptVisual(p, d, false)).isEqualTo(FastV.keepCount(p.visual(), r));
        assertThat(keptVisual(p, d, true) - keptVisual(p, d, false)).isEqualTo(p.trailingNewline() ? 1 : 0);
        // the kept grid tokens are the top scores
        float minKept = Float.MAX_VALUE, maxDropped = -Float.MAX_VALUE;
        Set<Integer> k = new HashSet<>();
        for (int i : d.keep()) k.add(i);
        for (int i = 0; i < p.state().visualIndices().length; i++) {
            if (p.state().newline()[i]) continue;
            float a = p.state().lastQueryAttention()[p.state().visualIndices()[i]];
            if (k.contains(p.state().visualIndices()[i])) minKept = Math.min(minKept, a);
            else maxDropped = Math.max(maxDropped, a);
        }
        assertThat(minKept).isGreaterThanOrEqualTo(maxDropped);
        assertThat(new FastV(2, 0).decide(p.state()).keepsAll(p.state().sequenceLength())).isTrue();
    }

    @Property(tries = 200)
    void pvtpWithOneEventIsFastV(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int k, @ForAll @DoubleRange(min = 0, max = 0.99) double r) {
        Prompt p = prompt(new Random(seed), k, false);
        var pvtp = new ProgressiveVisualTokenPruning(new ProgressiveVisualTokenPruning.Config(k, ProgressiveVisualTokenPruning.NO_STRIDE, r, 0,
                ProgressiveVisualTokenPruning.RatioMode.GEOMETRIC, null));
        assertThat(pvtp.actsBefore(k)).isTrue();
        assertThat(pvtp.actsBefore(k + 1)).isFalse();
        assertThat(pvtp.decide(p.state()).keep()).containsExactly(new FastV(k, r).decide(p.state()).keep());
    }

    @Property(tries = 200)
    void pvtpScheduleIsMonotoneAndFollowsTheRatio(@ForAll @IntRange(min = 1, max = 3000) int nv, @ForAll @IntRange(min = 1, max = 6) int k0,
                                                  @ForAll @IntRange(min = 1, max = 5) int stride, @ForAll @DoubleRange(min = 0, max = 0.9) double r,
                                                  @ForAll @IntRange(min = 0, max = 5) int minKeep, @ForAll boolean linear) {
        var pvtp = new ProgressiveVisualTokenPruning(new ProgressiveVisualTokenPruning.Config(k0, stride, r, minKeep,
                linear ? ProgressiveVisualTokenPruning.RatioMode.LINEAR : ProgressiveVisualTokenPruning.RatioMode.GEOMETRIC, null));
        int[] s = pvtp.schedule(nv, 40);
        int prev = nv;
        for (int l = 0; l < 40; l++) {
            assertThat(s[l]).isLessThanOrEqualTo(prev).isGreaterThanOrEqualTo(Math.min(nv, minKeep));
            if (!pvtp.actsBefore(l)) assertThat(s[l]).isEqualTo(prev);
            else if (!linear && (int) Math.rint((1 - r) * prev) >= minKeep) assertThat(s[l]).isEqualTo((int) Math.rint((1 - r) * prev));
            prev = s[l];
        }
    }

    @Property(tries = 200)
    void holitomInnerKeepsRoundedShareAndMergesEveryOtherSpanToken(@ForAll long seed, @ForAll @DoubleRange(min = 0, max = 0.95) double r) {
        Prompt p = prompt(new Random(seed), 3, true);
        LayerDecision d = new HoliTomInner(3, r).decide(p.state());
        assertTextAndOrderKept(p, d);
        int span = p.state().visualIndices().length;
        assertThat(keptVisual(p, d, true)).isEqualTo(TokenBudget.innerKeep(span, r));
        LayerDecision none = new HoliTomInner(3, 0).decide(p.state());
        assertThat(none.keepsAll(p.state().sequenceLength())).isTrue();
    }

    @Property(tries = 200)
    void innerMergeSequentialClosedForm(@ForAll long seed) {
        Random rnd = new Random(seed);
        int n = 2 + rnd.nextInt(40), c = 1 + rnd.nextInt(5);
        float[][] h = randomRows(rnd, n, c);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat();
        HoliTomInnerMerge.Result m = HoliTomInnerMerge.merge(h, a, 0.5);
        for (int i = 0; i < m.kept().length; i++) {
            int t = m.kept()[i];
            List<Integer> from = new ArrayList<>();
            for (int q = 0; q < m.nonTopk().length; q++) if (m.mergeTarget()[q] == t) from.add(m.nonTopk()[q]);
            int mm = from.size();
            for (int k = 0; k < c; k++) {
                double expect = Math.pow(2, -mm) * h[t][k];
                for (int j = 1; j <= mm; j++) expect += Math.pow(2, -(mm - j + 1)) * h[from.get(j - 1)][k];
                assertThat((double) m.keptRows()[i][k]).isCloseTo(expect, org.assertj.core.api.Assertions.within(1e-5));
            }
        }
    }

    // ---- cache stage

    @Property(tries = 200)
    void vtaBudgetIsMonotoneBetweenFloorAndN(@ForAll @IntRange(min = 0, max = 3000) int n, @ForAll @DoubleRange(min = 0, max = 1) double floor,
                                             @ForAll @IntRange(min = 1, max = 300) int horizon, @ForAll VisualTokenAnnealing.Shape shape) {
        var vta = new VisualTokenAnnealing(new VisualTokenAnnealing.Config(floor, horizon, shape, VisualTokenAnnealing.ScoreMode.CURRENT_STEP, 1));
        int nMin = (int) Math.ceil(floor * n);
        int prev = vta.budget(n, 0);
        assertThat(prev).isEqualTo(n);
        for (int t = 1; t <= horizon + 5; t++) {
            int b = vta.budget(n, t);
            assertThat(b).isLessThanOrEqualTo(prev).isGreaterThanOrEqualTo(Math.min(n, nMin));
            prev = b;
        }
        assertThat(vta.budget(n, horizon)).isEqualTo(nMin);
        var keepAll = new VisualTokenAnnealing(new VisualTokenAnnealing.Config(1.0, horizon, shape, VisualTokenAnnealing.ScoreMode.CURRENT_STEP, 1));
        assertThat(keepAll.budget(n, horizon + 1)).isEqualTo(n);
    }

    @Property(tries = 200)
    void vtaEvictsTheLowestScoresLaterPositionFirstOnTies(@ForAll long seed) {
        Random rnd = new Random(seed);
        int n = 1 + rnd.nextInt(50);
        int[] entries = new int[n];
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            entries[i] = 3 + 2 * i;
            scores[i] = rnd.nextInt(6) / 6f; // many ties
        }
        var vta = new VisualTokenAnnealing(new VisualTokenAnnealing.Config(0.25, 8, VisualTokenAnnealing.Shape.COSINE, VisualTokenAnnealing.ScoreMode.CURRENT_STEP, 1));
        int step = 1 + rnd.nextInt(10);
        int[] ev = vta.evict(new CacheState(0, step, n, entries, scores));
        assertThat(ev.length).isEqualTo(Math.max(0, n - vta.budget(n, step)));
        Set<Integer> evicted = new HashSet<>();
        for (int e : ev) evicted.add(e);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (evicted.contains(i) && !evicted.contains(j)) {
                    // an evicted entry never outranks a kept one
                    assertThat(scores[i] < scores[j] || (scores[i] == scores[j] && i > j)).isTrue();
                }
            }
        }
    }

    @Property(tries = 50)
    void segmentationWindowsAreValidAndRMatchesTheirStaticSets(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int frames,
                                                              @ForAll @IntRange(min = 1, max = 5) int maxWindow) {
        Random rnd = new Random(seed);
        int n = 1 + rnd.nextInt(30);
        float[][] sim = new float[frames - 1][n];
        for (float[] row : sim) for (int i = 0; i < n; i++) row[i] = rnd.nextInt(4) == 0 ? 0.5f : 0.9f;
        TemporalSegmenter.Segmentation s = TemporalSegmenter.segment(sim, frames, 0.8, maxWindow);
        long r = 0;
        for (TemporalWindow w : s.windows()) {
            assertThat(w.length()).isLessThanOrEqualTo(maxWindow);
            boolean[] m = TemporalSegmenter.staticMask(sim, n, 0.8, w);
            int cnt = 0;
            for (boolean b : m) if (b) cnt++;
            if (w.length() > 1) assertThat(cnt).as("a window of 2+ frames has a static token").isPositive();
            r += (long) (w.length() - 1) * cnt;
        }
        assertThat(r).isEqualTo(s.totalReduced());
        // no segmentation does better: compare with brute force over all cut sets for small F
        if (frames <= 10) assertThat(s.totalReduced()).isEqualTo(bruteForce(sim, frames, n, maxWindow));
    }

    static long bruteForce(float[][] sim, int frames, int n, int maxWindow) {
        long best = 0;
        for (int cuts = 0; cuts < (1 << Math.max(0, frames - 1)); cuts++) {
            long total = 0;
            int start = 0;
            boolean ok = true;
            for (int f = 0; f < frames; f++) {
                boolean end = f == frames - 1 || (cuts >> f & 1) == 1;
                if (!end) continue;
                TemporalWindow w = new TemporalWindow(start, f);
                if (w.length() > maxWindow) ok = false;
                boolean[] m = TemporalSegmenter.staticMask(sim, n, 0.8, w);
                int cnt = 0;
                for (boolean b : m) if (b) cnt++;
                total += (long) (w.length() - 1) * cnt;
                start = f + 1;
            }
            if (ok) best = Math.max(best, total);
        }
        return best;
    }

    @Property(tries = 100)
    void poolingPreservesConstantsAndHasTheRightSize(@ForAll @IntRange(min = 2, max = 30) int g, @ForAll SpatialPooling.Mode mode, @ForAll float value) {
        if (!Float.isFinite(value) || Math.abs(value) > 1e30) return;
        float[][] t = new float[g * g][2];
        for (float[] row : t) Arrays.fill(row, value);
        float[][] p = SpatialPooling.poolFrame(t, g, mode);
        int side = SpatialPooling.outputSide(g, mode);
        assertThat(p).hasNumberOfRows(side * side);
        for (float[] row : p) for (float v : row) assertThat(v).isCloseTo(value, org.assertj.core.api.Assertions.within(Math.abs(value) * 1e-6f));
    }
}
