package dev.jlava.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.io.InMemoryWeights;
import dev.jlava.io.ModelFileException;
import dev.jlava.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Random towers of other shapes (hidden sizes, head counts, depths, image/patch sizes with and
 * without a remainder, 1 or 3 channels, feature layer lists, both strategies) against the naive
 * float64 {@link ReferenceTower}, and invariants of the tower API.
 */
class VisionTowerTest {
    static final VisionConfig.Family SIGLIP = VisionConfig.Family.SIGLIP, CLIP = VisionConfig.Family.CLIP;

    record Case(VisionConfig config, int frames, VisionRequest request, long seed) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<VisionConfig.Family> family = Arbitraries.of(VisionConfig.Family.class);
        Arbitrary<int[]> dims = Arbitraries.of(new int[] {8, 1}, new int[] {8, 2}, new int[] {12, 3}, new int[] {16, 4}, new int[] {24, 2});
        Arbitrary<int[]> geometry = Arbitraries.of(new int[] {12, 4, 3}, new int[] {14, 7, 3}, new int[] {15, 4, 3}, new int[] {10, 5, 1}, new int[] {8, 8, 3});
        Arbitrary<Integer> layers = Arbitraries.integers().between(1, 3);
        Arbitrary<Activation> act = Arbitraries.of(Activation.class);
        Arbitrary<VisionConfig.Strategy> strategy = Arbitraries.of(VisionConfig.Strategy.class);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(family, dims, geometry, layers, act, strategy, seed).as((f, dm, geo, l, a, s, sd) -> {
            Random r = new Random(sd);
            int[] fl = new int[1 + r.nextInt(3)];
            for (int i = 0; i < fl.length; i++) fl[i] = r.nextInt(2 * l + 2) - (l + 1); // any index in [-(L+1), L]
            VisionConfig c = RandomTowers.config(f, dm[0], 2 * dm[0] + 4, l, dm[1], geo[2], geo[0], geo[1], a, s, fl);
            AttentionScore score = c.layersToRun() == 0 ? AttentionScore.NONE
                    : AttentionScore.values()[r.nextInt(f == CLIP ? 3 : 2)];
            boolean keys = c.layersToRun() > 0 && r.nextBoolean();
            return new Case(c, 1 + r.nextInt(3), new VisionRequest(score, keys, r.nextBoolean()), sd);
        });
    }

    static void close(String what, float[] got, double[] want, double rel) {
        assertThat(got).as(what + " length").hasSize(want.length);
        double scale = 0, diff = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(got[i] - want[i]));
        }
        assertThat(diff).as(what + " max abs diff (max |x| " + scale + ")").isLessThanOrEqualTo(rel * Math.max(scale, 1e-3));
    }

    @Property(tries = 40)
    void matchesTheFloat64Reference(@ForAll("cases") Case k) {
        VisionConfig c = k.config();
        int projOut = 10;
        Map<String, float[]> w = RandomTowers.weights(c, projOut, k.seed());
        float[] px = RandomTowers.pixels(c, k.frames(), k.seed() + 1);
        VisionTower tower = VisionTower.load(c, RandomTowers.store(c, w, projOut), RandomTowers.PREFIX);
        VisionOutput out = tower.forward(px, k.frames(), k.request());

        int t = c.tokens(), d = c.hidden(), hd = c.headDim(), heads = c.heads();
        int first = k.request().allTokens() || c.strategy() == VisionConfig.Strategy.FULL ? 0 : 1;
        int[] sel = c.hiddenStateIndices();
        assertThat(out.tokens()).isEqualTo(t - first);
        assertThat(out.dim()).isEqualTo(d * sel.length);
        double[] feats = new double[k.frames() * (t - first) * d * sel.length];
        int sl = AttentionTap.scoreLength(k.request().score(), c);
        double[] scores = new double[k.frames() * sl];
        double[] keys = new double[k.frames() * c.patches() * hd];
        for (int f = 0; f < k.frames(); f++) {
            ReferenceTower ref = ReferenceTower.run(c, w, px, f);
            for (int i = first; i < t; i++) {
                for (int s = 0; s < sel.length; s++) {
                    for (int e = 0; e < d; e++) feats[((f * (t - first)) + i - first) * d * sel.length + s * d + e] = ref.hidden[sel[s]][i][e];
                }
            }
            for (int j = 0; j < sl; j++) {
                double v = 0;
                for (int h = 0; h < heads; h++) {
                    if (k.request().score() == AttentionScore.CLS_HEAD_SUM) v += ref.probs[h][0][j + 1];
                    else for (int i = 0; i < t; i++) v += ref.probs[h][i][j] / (heads * (double) t);
                }
                scores[f * sl + j] = v;
            }
            if (k.request().keyMetric()) { // over the patches: CLS left out
                int cls = c.hasCls() ? 1 : 0, np = c.patches();
                for (int i = 0; i < np; i++) {
                    for (int e = 0; e < hd; e++) {
                        double v = 0;
                        for (int h = 0; h < heads; h++) v += ref.keys[i + cls][h * hd + e] / heads;
                        keys[(f * np + i) * hd + e] = v;
                    }
                }
            }
        }
        close("features", out.features(), feats, 2e-5);
        if (sl > 0) close("attention score", out.attentionScore(), scores, 2e-5);
        else assertThat(out.attentionScore()).isNull();
        if (k.request().keyMetric()) {
            assertThat(out.keyTokens()).isEqualTo(c.patches());
            close("key metric", out.keyMetric(), keys, 2e-5);
        }
        else assertThat(out.keyMetric()).isNull();

        if (first == (c.strategy() == VisionConfig.Strategy.FULL ? 0 : 1)) { // the projector takes the strategy's tokens
            Projector proj = Projector.load(c, RandomTowers.store(c, w, projOut), RandomTowers.PROJ);
            int rows = k.frames() * out.tokens();
            if (rows == 0) { // one patch under "default": nothing is left for the projector
                assertThat(proj.forward(out.features(), 0)).isEmpty();
                return;
            }
            close("projected", proj.forward(out.features(), rows), ReferenceTower.project(out.features(), rows, w, c.featureDim(), projOut), 2e-5);
        }
    }

    static final VisionConfig SIG = RandomTowers.config(SIGLIP, 16, 24, 3, 4, 3, 16, 4, Activation.GELU_TANH, VisionConfig.Strategy.FULL, -1);
    static final VisionConfig CLI = RandomTowers.config(CLIP, 12, 20, 3, 3, 3, 15, 5, Activation.QUICK_GELU, VisionConfig.Strategy.DEFAULT, -2);

    static VisionTower tower(VisionConfig c, long seed) {
        return VisionTower.load(c, RandomTowers.store(c, RandomTowers.weights(c, 8, seed), 8), RandomTowers.PREFIX);
    }

    @Property(tries = 10)
    void permutingFramesPermutesEveryOutput(@ForAll boolean clip, @ForAll long seed) {
        VisionConfig c = clip ? CLI : SIG;
        int frames = 5;
        VisionTower tower = tower(c, seed);
        float[] px = RandomTowers.pixels(c, frames, seed);
        int[] perm = {3, 0, 4, 2, 1};
        int fs = c.channels() * c.imageSize() * c.imageSize();
        float[] permuted = new float[px.length];
        for (int f = 0; f < frames; f++) System.arraycopy(px, perm[f] * fs, permuted, f * fs, fs);
        VisionRequest req = new VisionRequest(clip ? AttentionScore.CLS_HEAD_SUM : AttentionScore.RECEIVED_MEAN, true, false);
        VisionOutput a = tower.withChunkRows(2 * c.tokens()).forward(px, frames, req);
        VisionOutput b = tower.forward(permuted, frames, req);
        for (int f = 0; f < frames; f++) {
            assertClose(b.frameFeatures(f), a.frameFeatures(perm[f]));
            assertClose(b.frameScore(f), a.frameScore(perm[f]));
            assertClose(b.frameKeyMetric(f), a.frameKeyMetric(perm[f]));
        }
    }

    /** Equal up to float rounding that a GEMM kernel might order differently per batch size. */
    static void assertClose(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double scale = Compare.maxAbs(want);
        assertThat(Compare.maxAbsDiff(got, want)).isLessThanOrEqualTo(1e-6 * Math.max(scale, 1e-6));
    }

    @Property(tries = 10)
    void receivedAttentionSumsToOnePerFrame(@ForAll boolean clip, @ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int frames) {
        VisionConfig c = clip ? CLI : SIG;
        VisionOutput out = tower(c, seed).forward(RandomTowers.pixels(c, frames, seed), frames, VisionRequest.HOLITOM);
        assertThat(out.scoreLength()).isEqualTo(c.tokens());
        for (int f = 0; f < frames; f++) {
            double sum = 0;
            for (float v : out.frameScore(f)) {
                assertThat(v).isPositive();
                sum += v;
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Property(tries = 10)
    void clsAttentionToPatchesIsBelowTheHeadCount(@ForAll long seed) {
        VisionOutput out = tower(CLI, seed).forward(RandomTowers.pixels(CLI, 2, seed), 2, VisionRequest.VISIONZIP);
        assertThat(out.scoreLength()).isEqualTo(CLI.patches());
        assertThat(out.tokens()).isEqualTo(CLI.tokens()); // allTokens: CLS kept although the strategy is "default"
        for (int f = 0; f < 2; f++) {
            double sum = 0;
            for (float v : out.frameScore(f)) sum += v;
            assertThat(sum).isGreaterThan(0).isLessThan(CLI.heads());
        }
    }

    @Test
    void lastLayerEqualsTheLastEntryOfAllLayers() {
        VisionConfig all = SIG.withFeatureLayers(0, 1, 2, 3);
        Map<String, float[]> w = RandomTowers.weights(SIG, 8, 7);
        float[] px = RandomTowers.pixels(SIG, 2, 7);
        VisionOutput last = VisionTower.load(SIG, RandomTowers.store(SIG, w, 8), RandomTowers.PREFIX).forward(px, 2);
        VisionOutput every = VisionTower.load(all, RandomTowers.store(SIG, w, 8), RandomTowers.PREFIX).forward(px, 2);
        assertThat(every.dim()).isEqualTo(4 * SIG.hidden());
        int d = SIG.hidden();
        float[] slice = new float[last.features().length];
        for (int r = 0; r < 2 * SIG.tokens(); r++) System.arraycopy(every.features(), r * 4 * d + 3 * d, slice, r * d, d);
        assertThat(slice).containsExactly(last.features());
        // -1 and the positive index name the same hidden state
        VisionOutput positive = VisionTower.load(SIG.withFeatureLayers(3), RandomTowers.store(SIG, w, 8), RandomTowers.PREFIX).forward(px, 2);
        assertThat(positive.features()).containsExactly(last.features());
    }

    @Test
    void chunkSizeDoesNotChangeResults() {
        VisionTower t = tower(CLI, 3);
        float[] px = RandomTowers.pixels(CLI, 4, 3);
        VisionOutput a = t.forward(px, 4, VisionRequest.VISIONZIP);
        VisionOutput b = t.withChunkRows(1).forward(px, 4, VisionRequest.VISIONZIP);
        assertClose(b.features(), a.features());
        assertClose(b.attentionScore(), a.attentionScore());
        assertClose(b.keyMetric(), a.keyMetric());
    }

    @Test
    void layersAfterTheSelectedOneAreNeitherLoadedNorRun() {
        VisionConfig c = CLI; // feature layer -2 of 3: layers 0 and 1 run
        Map<String, float[]> w = RandomTowers.weights(c, 8, 5);
        InMemoryWeights full = RandomTowers.store(c, w, 8);
        InMemoryWeights truncated = new InMemoryWeights("truncated");
        for (String n : full.names()) if (!n.contains("layers.2.") && !n.contains("post_layernorm")) truncated.put(full.get(n));
        float[] px = RandomTowers.pixels(c, 1, 5);
        assertThat(VisionTower.load(c, truncated, RandomTowers.PREFIX).forward(px, 1).features())
                .containsExactly(VisionTower.load(c, full, RandomTowers.PREFIX).forward(px, 1).features());
        assertThatThrownBy(() -> VisionTower.load(c.withFeatureLayers(-1), truncated, RandomTowers.PREFIX))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("missing tensor 'vision_tower.vision_model.encoder.layers.2.layer_norm1.weight'");
    }

    @Test
    void bothTensorNameLayoutsLoadTheSameModel() {
        Map<String, float[]> w = RandomTowers.weights(SIG, 8, 9);
        InMemoryWeights legacy = RandomTowers.store(SIG, w, 8);
        InMemoryWeights v452 = RandomTowers.store(SIG, w, 8, "model.vision_tower.vision_model.", "model.multi_modal_projector.");
        assertThat(LlavaTensorNames.towerPrefix(legacy)).isEqualTo("vision_tower.vision_model.");
        assertThat(LlavaTensorNames.towerPrefix(v452)).isEqualTo("model.vision_tower.vision_model.");
        assertThat(LlavaTensorNames.projectorPrefix(v452)).isEqualTo("model.multi_modal_projector.");
        float[] px = RandomTowers.pixels(SIG, 1, 9);
        float[] a = VisionTower.load(SIG, legacy, LlavaTensorNames.towerPrefix(legacy)).forward(px, 1).features();
        float[] b = VisionTower.load(SIG, v452, LlavaTensorNames.towerPrefix(v452)).forward(px, 1).features();
        assertThat(b).containsExactly(a);
        assertThat(Projector.load(SIG, v452, "model.multi_modal_projector.").forward(b, SIG.tokens()))
                .containsExactly(Projector.load(SIG, legacy, "multi_modal_projector.").forward(a, SIG.tokens()));
        assertThatThrownBy(() -> LlavaTensorNames.towerPrefix(new InMemoryWeights("empty").put(Tensor.ofFloats("x", new float[1], 1))))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("no vision tower found")
                .hasMessageContaining("'model.vision_tower.vision_model.embeddings.patch_embedding.weight'");
    }

    @Test
    void projectorWithoutBias() {
        VisionConfig c = new VisionConfig(SIGLIP, 16, 24, 3, 4, 3, 16, 4, 1e-6, Activation.GELU_TANH, new int[] {-1},
                VisionConfig.Strategy.FULL, Activation.GELU_ERF, false);
        Map<String, float[]> w = RandomTowers.weights(c, 8, 11);
        InMemoryWeights store = RandomTowers.store(c, w, 8);
        float[] x = RandomTowers.pixels(c, 1, 11); // any [rows][16] input
        float[] feats = java.util.Arrays.copyOf(x, 5 * 16);
        float[] got = Projector.load(c, store, RandomTowers.PROJ).forward(feats, 5);
        w.put(RandomTowers.PROJ + "linear_1.bias", new float[8]);
        w.put(RandomTowers.PROJ + "linear_2.bias", new float[8]);
        close("projected without bias", got, ReferenceTower.project(feats, 5, w, 16, 8), 2e-5);
    }

    @Test
    void badCallsAndShapesAreReported() {
        VisionTower sig = tower(SIG, 1);
        assertThatThrownBy(() -> sig.forward(new float[10], 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pixel values: 10 floats");
        assertThatThrownBy(() -> sig.forward(RandomTowers.pixels(SIG, 1, 1), 1, VisionRequest.VISIONZIP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no CLS token");
        VisionTower emb = VisionTower.load(SIG.withFeatureLayers(0), RandomTowers.store(SIG, RandomTowers.weights(SIG, 8, 1), 8), RandomTowers.PREFIX);
        assertThatThrownBy(() -> emb.forward(RandomTowers.pixels(SIG, 1, 1), 1, VisionRequest.HOLITOM))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no encoder layer runs");

        InMemoryWeights bad = RandomTowers.store(SIG, RandomTowers.weights(SIG, 8, 1), 8);
        bad.put(Tensor.ofFloats(RandomTowers.PREFIX + "embeddings.position_embedding.weight", new float[15 * 16], 15, 16));
        assertThatThrownBy(() -> VisionTower.load(SIG, bad, RandomTowers.PREFIX)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("tensor 'vision_tower.vision_model.embeddings.position_embedding.weight' has shape [15, 16] but the config needs [16, 16]");
        InMemoryWeights badProj = RandomTowers.store(SIG, RandomTowers.weights(SIG, 8, 1), 8);
        badProj.put(Tensor.ofFloats(RandomTowers.PROJ + "linear_1.weight", new float[8 * 12], 8, 12));
        assertThatThrownBy(() -> Projector.load(SIG, badProj, RandomTowers.PROJ)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("'multi_modal_projector.linear_1.weight' has shape [8, 12] but the config needs [8, 16]");
    }
}
