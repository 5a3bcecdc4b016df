package dev.jlava.reduce.holitom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jlava.reduce.Approx;
import dev.jlava.reduce.GoldenCase;
import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.SpatialPooling;
import dev.jlava.reduce.TemporalWindow;
import dev.jlava.reduce.TokenKind;
import dev.jlava.reduce.VisualTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of ../shared/golden/holitom (official HoliTom code, fp32), at the README's tolerances:
 * indices, windows, counts and positions exactly; features abs 2e-5; pooled features abs 1e-5;
 * pooled attention rel 1e-5; feature_sim abs 1e-6; distances/density/delta/score rel 1e-5.
 */
class HoliTomGoldenTest {
    static final String DIR = "holitom";

    static Stream<String> dpcCases() { return GoldenCase.casesOf(DIR, "a_").stream(); }
    static Stream<String> windowCases() { return GoldenCase.casesOf(DIR, "b_").stream(); }
    static Stream<String> splitCases() { return GoldenCase.casesOf(DIR, "c_").stream(); }
    static Stream<String> attnDensityCases() { return GoldenCase.casesOf(DIR, "d_merge_tokens_by_attention").stream(); }
    static Stream<String> densityCases() { return GoldenCase.casesOf(DIR, "d_merge_tokens_by_density").stream(); }
    static Stream<String> outerCases() { return GoldenCase.casesOf(DIR, "e_").stream(); }
    static Stream<String> innerCases() { return GoldenCase.casesOf(DIR, "f_").stream(); }

    @Test
    void theGroupsCoverAll39Cases() {
        List<String> all = GoldenCase.casesOf(DIR, "");
        Set<String> covered = new HashSet<>();
        Stream.of(dpcCases(), windowCases(), splitCases(), attnDensityCases(), densityCases(), outerCases(), innerCases())
                .flatMap(s -> s).forEach(covered::add);
        assertThat(all).hasSize(39);
        assertThat(covered).containsExactlyInAnyOrderElementsOf(all);
    }

    // ---- a) cluster_dpc_knn

    @ParameterizedTest(name = "{0}")
    @MethodSource("dpcCases")
    void dpcKnn(String name) {
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            float[][] x = g.matrix("x");
            int c = g.params().get("cluster_num").asInt(), k = g.params().get("k").asInt();
            boolean seeded = !g.params().get("noise_mode").asText().equals("zero");
            DensityPeakClustering.Result r = DensityPeakClustering.cluster(x, c, k, seeded ? g.floats("density_noise") : null);

            assertThat(r.centersByScore()).containsExactly(g.ints("index_center"));
            assertThat(r.centersSorted()).containsExactly(GoldenCase.intsOf(g.outputs().get("index_center_sorted")));
            Approx.assertRel("dist_matrix_direct", g.floats("dist_matrix_direct"), Approx.flat(r.dist()), 1e-5);
            Approx.assertAbs("dist_matrix (official cdist)", g.matrix("dist_matrix"), r.dist(), 3e-3);
            Approx.assertRel("density", g.floats("density"), r.density(), 1e-5);
            Approx.assertRel("delta", g.floats("delta"), r.delta(), 1e-5);
            Approx.assertRel("score", g.floats("score"), r.score(), 1e-5);
            assertThat(r.parent()).containsExactly(g.ints("parent_index"));
        }
    }

    // ---- b) select_static_windows

    @ParameterizedTest(name = "{0}")
    @MethodSource("windowCases")
    void temporalSegmentation(String name) {
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            int frames = g.params().get("num_frames").asInt();
            double tau = g.params().get("tau").asDouble();
            int maxWindow = g.params().get("max_window_size").asInt();
            float[][] sim = g.matrix("feature_sim");
            if (g.has("features")) {
                float[][] mine = FrameSimilarity.compute(g.cube("features"));
                Approx.assertAbs("feature_sim from features", sim, mine, 1e-6);
                assertWindows(g, TemporalSegmenter.segment(mine, frames, tau, maxWindow));
            }
            assertWindows(g, TemporalSegmenter.segment(sim, frames, tau, maxWindow));
        }
    }

    private static void assertWindows(GoldenCase g, TemporalSegmenter.Segmentation s) {
        assertThat(toPairs(s.windows())).isDeepEqualTo(g.intMatrix("selected_frames"));
        assertThat((double) s.totalReduced()).isEqualTo(g.outputs().get("total_reduced").asDouble());
        float[] dp = g.floats("dp");
        for (int i = 0; i < dp.length; i++) assertThat((float) s.dp()[i]).as("dp[%d]", i).isEqualTo(dp[i]);
        assertThat(s.prev()).containsExactly(g.ints("prev"));
        float[][] p = g.matrix("pruned_static_count");
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p.length; j++) assertThat((float) s.prunedStaticCount()[i][j]).as("P[%d][%d]", i, j).isEqualTo(p[i][j]);
        }
    }

    static int[][] toPairs(List<TemporalWindow> ws) {
        int[][] out = new int[ws.size()][];
        for (int i = 0; i < out.length; i++) out[i] = new int[] {ws.get(i).start(), ws.get(i).end()};
        return out;
    }

    // ---- c) get_static_dynamic_features

    @ParameterizedTest(name = "{0}")
    @MethodSource("splitCases")
    void staticDynamicSplit(String name) {
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            float[][][] x = g.cube("image_feat");
            float[][] attn = g.matrix("attn_weights");
            double tau = g.params().get("tau").asDouble();
            float[][] sim = FrameSimilarity.compute(x);
            Approx.assertAbs("feature_sim", g.matrix("feature_sim"), sim, 1e-6);
            TemporalSegmenter.Segmentation s = TemporalSegmenter.segment(sim, x.length, tau, 1024);
            assertThat(toPairs(s.windows())).isDeepEqualTo(g.intMatrix("selected_frames"));
            assertThat((double) s.totalReduced()).isEqualTo(g.outputs().get("total_reduced").asDouble());
            for (int i = 0; i < s.windows().size(); i++) {
                StaticDynamicSplit.WindowSplit w = StaticDynamicSplit.split(x, attn, sim, tau, s.windows().get(i));
                String p = "win" + i + ".";
                int[] staticPos = g.ints(p + "static_pos");
                assertThat(w.staticPos()).containsExactly(staticPos);
                Approx.assertAbs(p + "static_feat", g.matrix(p + "static_feat"), w.staticFeat(), 2e-5);
                int[][] dynPos = g.intMatrix(p + "dynamic_pos");
                for (int[] row : dynPos) assertThat(w.dynamicPos()).containsExactly(row);
                float[][][] dynFeat = g.cube(p + "dynamic_feat");
                for (int t = 0; t < dynFeat.length; t++) Approx.assertAbs(p + "dynamic_feat", dynFeat[t], w.dynamicFeat()[t], 0);
                Approx.assertAbs(p + "dynamic_attn", g.matrix(p + "dynamic_attn"), w.dynamicAttn(), 0);
                JsonNode wj = g.outputs().get("windows").get(i);
                assertThat(w.staticPos().length).isEqualTo(wj.get("num_static").asInt());
                assertThat(w.dynamicPos().length).isEqualTo(wj.get("num_dynamic_per_frame").asInt());
            }
        }
    }

    // ---- d) merge_tokens_by_attention_density / merge_tokens_by_density

    static ClusterMerge.Rule rule(JsonNode params) {
        JsonNode nb = params.get("NO_BETA_env");
        boolean plain = nb != null && !nb.isNull() && !nb.asText().equals("0");
        return plain ? ClusterMerge.Rule.PLAIN_MEAN : ClusterMerge.Rule.beta(params.get("Beta").asDouble());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attnDensityCases")
    void dynamicTokenMerge(String name) {
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            float[][][] feat = g.cube("feat");
            float[][] attn = g.matrix("attn");
            int[][] pos = g.intMatrix("pos");
            JsonNode pr = g.params();
            double r = pr.get("retain_ratio").asDouble(), d = pr.get("D").asDouble();
            int knn = pr.get("K").asInt();
            float[][][] outFeat = g.cube("out_feat");
            int[][] outPos = g.intMatrix("out_pos");
            int[][] dom = g.intMatrix("dominant_indices");
            for (int b = 0; b < feat.length; b++) {
                DynamicTokenMerge.Detail m = DynamicTokenMerge.reduce(feat[b], attn[b], pos[b], r, d, rule(pr), knn);
                assertThat(m.dominantByAttention()).as("dominant_indices[%d]", b).containsExactly(dom[b]);
                assertThat(m.merged().pos()).as("out_pos[%d]", b).containsExactly(outPos[b]);
                Approx.assertAbs("out_feat[" + b + "]", outFeat[b], m.merged().tokens(), 2e-5);
                assertThat(m.merged().size()).isEqualTo(g.outputs().get("out_tokens_per_frame").asInt());
                int ctx = g.outputs().get("contextual_num").asInt();
                assertThat(m.merged().size() - m.dominantByAttention().length).isEqualTo(ctx);
                if (ctx > 0) {
                    assertThat(m.clustering().centersSorted()).containsExactly(g.intMatrix("contextual_center_indices_sorted")[b]);
                    assertThat(m.merge().nonCenters()).containsExactly(g.intMatrix("contextual_non_center_indices")[b]);
                    assertThat(m.merge().assign()).containsExactly(g.intMatrix("contextual_assign")[b]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("densityCases")
    void staticTokenMerge(String name) {
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            float[][] feat = g.matrix("feat");
            int[] pos = g.ints("pos");
            JsonNode pr = g.params();
            StaticTokenMerge.Detail m = StaticTokenMerge.reduce(feat, pos, pr.get("retain_ratio").asDouble(), rule(pr), pr.get("K").asInt());
            assertThat(m.merged().size()).isEqualTo(g.outputs().get("cluster_num").asInt());
            assertThat(m.merged().pos()).containsExactly(g.ints("out_pos"));
            Approx.assertAbs("out_feat", g.matrix("out_feat"), m.merged().tokens(), 2e-5);
            if (m.merged().size() > 0) {
                assertThat(m.clustering().centersSorted()).containsExactly(g.ints("center_indices_sorted"));
                assertThat(m.merge().nonCenters()).containsExactly(g.ints("non_center_indices"));
                assertThat(m.merge().assign()).containsExactly(g.ints("assign"));
                Approx.assertAbs("dist_matrix (official cdist)", g.matrix("dist_matrix"), m.clustering().dist(), 3e-3);
            }
        }
    }

    // ---- e) the whole outer stage

    @ParameterizedTest(name = "{0}")
    @MethodSource("outerCases")
    void outerPipeline(String name) {
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            JsonNode p = g.params();
            SpatialPooling.Mode mode = SpatialPooling.Mode.fromConfig(p.get("pool_mode").asText());
            NewlineMode nl = NewlineMode.fromConfig(p.get("mm_newline_position").asText());
            JsonNode nb = p.get("NO_BETA_env");
            HoliTomConfig cfg = new HoliTomConfig(p.get("RETAIN_RATIO").asDouble(), p.get("T").asDouble(), p.get("BETA").asDouble(),
                    p.get("D").asDouble(), p.get("K").asInt(), p.get("MAX_WINDOW_SIZE").asInt(), nb != null && !nb.isNull() && !nb.asText().equals("0"));
            float[][][] f729 = g.cube("features_729");
            float[][] a729 = g.matrix("attn_729");
            int g27 = p.get("siglip_grid").asInt();

            float[][][] pooled = SpatialPooling.poolFrames(f729, g27, mode);
            float[][] pooledAttn = SpatialPooling.poolScores(a729, g27, mode);
            float[][][] gp = g.cube("pooled_feat");
            for (int t = 0; t < gp.length; t++) Approx.assertAbs("pooled_feat[" + t + "]", gp[t], pooled[t], 1e-5);
            Approx.assertRel("pooled_attn", Approx.flat(g.matrix("pooled_attn")), Approx.flat(pooledAttn), 1e-5);

            HoliTomOuter.Result r = new HoliTomOuter(cfg).runUnpooled(f729, a729, g27, mode, g.floats("image_newline"), nl);
            JsonNode o = g.outputs();
            Approx.assertAbs("feature_sim", g.matrix("feature_sim"), r.featureSim(), 1e-6);
            assertThat(toPairs(r.segmentation().windows())).isDeepEqualTo(g.intMatrix("selected_frames"));
            assertThat((double) r.segmentation().totalReduced()).isEqualTo(o.get("total_reduced").asDouble());
            assertThat(r.rescaledRatio()).isEqualTo(o.get("retain_ratio_rescaled").asDouble());

            VisualTokens v = r.tokens();
            assertThat(v.size()).isEqualTo(o.get("image_token_len").asInt()).isEqualTo(o.get("num_visual_tokens").asInt());
            assertThat(v.provenance()).isDeepEqualTo(toLong(g.intMatrix("provenance")));
            Approx.assertAbs("visual_tokens", g.matrix("visual_tokens"), v.rows(), 2e-5);
            JsonNode kinds = o.get("tokens_by_kind");
            assertThat(v.count(TokenKind.DOMINANT)).isEqualTo(kinds.get("dominant").asInt());
            assertThat(v.count(TokenKind.CONTEXTUAL)).isEqualTo(kinds.path("contextual").asInt(0));
            assertThat(v.count(TokenKind.STATIC)).isEqualTo(kinds.get("static").asInt());
            assertThat(v.count(TokenKind.NEWLINE)).isEqualTo(kinds.get("newline").asInt());
            assertThat(v.segments()).isEqualTo(r.segmentation().windows());
            v.checkAccounting();

            JsonNode ws = o.get("windows");
            assertThat(r.windows()).hasSize(ws.size());
            for (int i = 0; i < ws.size(); i++) {
                HoliTomOuter.WindowReport w = r.windows().get(i);
                JsonNode wj = ws.get(i);
                assertThat(w.rowCount()).as("segment_tokens of window %d", i).isEqualTo(wj.get("segment_tokens").asInt());
                assertThat(w.dynamicPerFrame()).isEqualTo(wj.get("dynamic_tokens_per_frame_in").asInt());
                assertThat(w.dominantPerFrame()).isEqualTo(wj.get("dominant_num").asInt());
                assertThat(w.contextualPerFrame()).isEqualTo(wj.get("contextual_num").asInt());
                if (wj.has("static_tokens_in")) {
                    assertThat(w.staticIn()).isEqualTo(wj.get("static_tokens_in").asInt());
                    assertThat(w.staticClusters()).isEqualTo(wj.get("static_cluster_num").asInt());
                }
                float[][] seg = Arrays.copyOfRange(v.rows(), w.firstRow(), w.firstRow() + w.rowCount());
                Approx.assertAbs("seg" + i + ".tokens", g.matrix("seg" + i + ".tokens"), seg, 2e-5);
            }
        }
    }

    static long[][] toLong(int[][] m) {
        long[][] out = new long[m.length][];
        for (int i = 0; i < m.length; i++) out[i] = Arrays.stream(m[i]).asLongStream().toArray();
        return out;
    }

    // ---- f) inner merge

    @ParameterizedTest(name = "{0}")
    @MethodSource("innerCases")
    void innerMerge(String name) {
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            JsonNode p = g.params();
            int start = p.get("image_token_start").asInt(), len = p.get("image_token_len").asInt();
            double r = p.get("HOLITOM_r").asDouble();
            float[][] hidden = g.matrix("hidden_states");
            float[] avg = headMean(g.matrix("attn_last_row"));
            Approx.assertRel("attn_last_row_avg", g.floats("attn_last_row_avg"), avg, 1e-5);

            float[][] span = Arrays.copyOfRange(hidden, start, start + len);
            float[] spanAttn = Arrays.copyOfRange(avg, start, start + len);
            HoliTomInnerMerge.Result m = HoliTomInnerMerge.merge(span, spanAttn, r);
            assertThat(plus(m.topk(), start)).containsExactly(g.ints("topk_indices"));
            assertThat(plus(m.nonTopk(), start)).containsExactly(g.ints("non_topk_indices"));
            assertThat(plus(m.mergeTarget(), start)).containsExactly(g.ints("merge_target"));
            assertThat(m.kept().length).isEqualTo(g.outputs().get("kept_image_tokens").asInt());

            List<Integer> keep = new ArrayList<>();
            List<float[]> rows = new ArrayList<>();
            for (int i = 0; i < start; i++) { keep.add(i); rows.add(hidden[i]); }
            for (int i = 0; i < m.kept().length; i++) { keep.add(start + m.kept()[i]); rows.add(m.keptRows()[i]); }
            for (int i = start + len; i < hidden.length; i++) { keep.add(i); rows.add(hidden[i]); }
            int[] keepArr = keep.stream().mapToInt(Integer::intValue).toArray();
            assertThat(keepArr).containsExactly(g.ints("keep_indices"));
            assertThat(keepArr).containsExactly(g.ints("position_ids_out"));
            assertThat(g.ints("cache_position_out")).containsExactly(java.util.stream.IntStream.range(0, keepArr.length).toArray());
            assertThat(keepArr.length).isEqualTo(g.outputs().get("new_seq_len").asInt());
            Approx.assertAbs("hidden_states_out", g.matrix("hidden_states_out"), rows.toArray(new float[0][]), 2e-5);
        }
    }

    static float[] headMean(float[][] perHead) {
        float[] out = new float[perHead[0].length];
        for (int j = 0; j < out.length; j++) {
            double s = 0;
            for (float[] h : perHead) s += h[j];
            out[j] = (float) (s / perHead.length);
        }
        return out;
    }

    static int[] plus(int[] a, int k) {
        return Arrays.stream(a).map(i -> i + k).toArray();
    }
}
