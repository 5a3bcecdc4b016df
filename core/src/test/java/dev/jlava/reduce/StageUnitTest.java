package dev.jlava.reduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.reduce.st3.VisualTokenAnnealing;
import dev.jlava.reduce.visionzip.VisionZip;
import org.junit.jupiter.api.Test;

/** Small hand-checked cases for behaviour the goldens do not cover. */
class StageUnitTest {

    static float[][][] frames(int f, int n) {
        float[][][] x = new float[f][n][1];
        for (int t = 0; t < f; t++) for (int p = 0; p < n; p++) x[t][p][0] = 100 * t + p;
        return x;
    }

    @Test
    void unreducedLayouts() {
        VisualTokens g = VisualTokens.ofFrames(frames(2, 4), 2);
        float[] nl = {-1};
        VisualTokens one = Newlines.layoutUnreduced(g, nl, NewlineMode.ONE_TOKEN);
        assertThat(one.size()).isEqualTo(9);
        assertThat(one.origin(8)).isEqualTo(TokenOrigin.trailingNewline());
        VisualTokens grid = Newlines.layoutUnreduced(g, nl, NewlineMode.GRID);
        // per frame: row 0 (2 tokens) newline, row 1 (2 tokens) newline
        assertThat(grid.size()).isEqualTo(12);
        float[] values = new float[12];
        for (int i = 0; i < 12; i++) values[i] = grid.row(i)[0];
        assertThat(values).containsExactly(0, 1, -1, 2, 3, -1, 100, 101, -1, 102, 103, -1);
        assertThat(grid.origin(5).provenanceRow()).containsExactly(3, 0, -1, 1, -1, -1);
        assertThat(Newlines.layoutUnreduced(g, null, NewlineMode.NO_TOKEN).size()).isEqualTo(8);
        assertThatThrownBy(() -> Newlines.layoutUnreduced(g, null, NewlineMode.GRID)).hasMessageContaining("image_newline");
        grid.checkAccounting();
    }

    @Test
    void visionZipSigLipGridPutsANewlineAfterEveryRowEvenEmptyOnes() {
        // one frame, 3x3 grid; scores make positions 0 and 8 dominant; one contextual token
        float[][][] x = frames(1, 9);
        float[][] score = {{0.5f, 0, 0, 0, 0, 0, 0, 0, 0.4f}};
        float[][][] metric = {{{1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}}};
        VisualContext ctx = new VisualContext(new VisionSignals(score, metric), new float[] {-1}, NewlineMode.GRID);
        VisualTokens out = new VisionZip(2, 1).reduce(VisualTokens.ofFrames(x, 3), ctx);
        // remaining = 1..7 (7 tokens), step 7, target = position 1 which absorbs 2..7: 1 + mean(2..7) = 5.5
        float[] values = new float[out.size()];
        for (int i = 0; i < values.length; i++) values[i] = out.row(i)[0];
        assertThat(values).containsExactly(0, 5.5f, -1, -1, 8, -1);
        assertThat(out.origin(1).kind()).isEqualTo(TokenKind.CONTEXTUAL);
        assertThat(out.origin(1).merged()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(out.origin(3).row()).isEqualTo(1);
        out.checkAccounting();

        VisualTokens flat = new VisionZip(2, 1).reduce(VisualTokens.ofFrames(x, 3), new VisualContext(ctx.signals(), new float[] {-1}, NewlineMode.ONE_TOKEN));
        float[] fv = new float[flat.size()];
        for (int i = 0; i < fv.length; i++) fv[i] = flat.row(i)[0];
        assertThat(fv).containsExactly(0, 8, 5.5f, -1);
    }

    @Test
    void visionZipSpatialSettingsOfTheHoliTomScripts() {
        // 20/30/40/50 per frame with dominant = int(S·54/64)
        assertThat(VisionZip.ofSpatial(20).dominant()).isEqualTo(16);
        assertThat(VisionZip.ofSpatial(30).dominant()).isEqualTo(25);
        assertThat(VisionZip.ofSpatial(40).dominant()).isEqualTo(33);
        assertThat(VisionZip.ofSpatial(50).dominant()).isEqualTo(42);
        assertThat(VisionZip.ofSpatial(50).contextual()).isEqualTo(8);
    }

    @Test
    void vtaAccumulatedScoresAddUpOverSteps() {
        var vta = new VisualTokenAnnealing(new VisualTokenAnnealing.Config(0.5, 2, VisualTokenAnnealing.Shape.STEP,
                VisualTokenAnnealing.ScoreMode.ACCUMULATED, 1));
        int[] entries = {10, 11, 12, 13};
        // step 1: STEP shape keeps all 4 until the horizon; scores accumulate
        assertThat(vta.needsScores(0, 1, 4, 4)).isTrue();
        assertThat(vta.evict(new CacheState(0, 1, 4, entries, new float[] {0.9f, 0.0f, 0.5f, 0.1f}))).isEmpty();
        // step 2: budget 2; accumulated 0.9, 0.6, 0.5, 0.7: the lowest two are entries 12 and 11
        int[] ev = vta.evict(new CacheState(0, 2, 4, entries, new float[] {0.0f, 0.6f, 0.0f, 0.6f}));
        assertThat(ev).containsExactly(1, 2);
        vta.reset();
        var current = new VisualTokenAnnealing(new VisualTokenAnnealing.Config(0.5, 2, VisualTokenAnnealing.Shape.STEP,
                VisualTokenAnnealing.ScoreMode.CURRENT_STEP, 1));
        assertThat(current.needsScores(0, 1, 4, 4)).isFalse();
        assertThat(current.evict(new CacheState(0, 2, 4, entries, new float[] {0.0f, 0.6f, 0.0f, 0.6f}))).containsExactly(0, 2);
    }

    @Test
    void layerDecisionRejectsUnsortedKeepLists() {
        assertThatThrownBy(() -> LayerDecision.prune(new int[] {0, 2, 2})).hasMessageContaining("not strictly ascending");
        assertThat(LayerDecision.keepAll(3).keepsAll(3)).isTrue();
    }

    @Test
    void accountingCatchesAMissingToken() {
        VisualTokens.Builder b = new VisualTokens.Builder(1, 2);
        b.add(new float[] {1}, TokenOrigin.kept(0, 0, 2, null));
        b.drop(1).drop(2);
        assertThatThrownBy(() -> b.build().checkAccounting()).hasMessageContaining("original token 3 (frame 0, pos 3) is accounted for 0 times");
    }
}
