package dev.jlava.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.io.SafetensorsWriter;
import dev.jlava.reduce.Approx;
import dev.jlava.reduce.GoldenCase;
import dev.jlava.tensor.DType;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jlava reduce} against the official HoliTom outputs (../shared/golden/holitom outer_* and
 * ../shared/golden/llava-ov case b), and its error policy.
 */
class ReduceCommandTest {
    static final String DIR = "holitom";

    @TempDir Path tmp;

    static Stream<String> outerCases() { return GoldenCase.casesOf(DIR, "e_").stream(); }

    /** The case's HoliTom parameters in plan syntax. */
    static String spec(JsonNode p) {
        JsonNode nb = p.get("NO_BETA_env");
        boolean noBeta = nb != null && !nb.isNull() && !nb.asText().equals("0");
        return String.format(Locale.ROOT, "holitom(r=%s,tau=%s,beta=%s,d=%s,knn=%d,maxwindow=%d%s)", p.get("RETAIN_RATIO").asText(),
                p.get("T").asText(), p.get("BETA").asText(), p.get("D").asText(), p.get("K").asInt(), p.get("MAX_WINDOW_SIZE").asInt(),
                noBeta ? ",nobeta=1" : "");
    }

    static String pooling(JsonNode p) {
        return p.get("pool_mode").asText().equals("average") ? "avg" : p.get("pool_mode").asText();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outerCases")
    void outerCaseFromUnpooledFeatures(String name) {
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            JsonNode p = g.params();
            Path out = tmp.resolve("out.safetensors");
            Cli r = Cli.run("reduce", "--method", spec(p), "--features", SharedData.golden(DIR).resolve(name + ".safetensors").toString(),
                    "--out", out.toString(), "--pooling", pooling(p), "--newline", p.get("mm_newline_position").asText());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains(g.outputs().get("num_visual_tokens").asInt() - g.outputs().get("tokens_by_kind").get("newline").asInt() + " (");
            assertMatchesGolden(g, out, name);
        }
    }

    @Test
    void alreadyPooledFeaturesGiveTheSameTokens() throws Exception {
        String name = "outer_ov_f8_r015_t080_D05_grid_patched";
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            Path in = tmp.resolve("pooled.safetensors");
            new SafetensorsWriter()
                    .add("pooled_feat", DType.F32, g.shape("pooled_feat"), bytes(g, "pooled_feat"))
                    .add("pooled_attn", DType.F32, g.shape("pooled_attn"), bytes(g, "pooled_attn"))
                    .add("image_newline", DType.F32, g.shape("image_newline"), bytes(g, "image_newline"))
                    .write(in);
            Path out = tmp.resolve("out.safetensors");
            Cli r = Cli.run("reduce", "--method", spec(g.params()), "--features", in.toString(), "--out", out.toString(), "--newline", "grid",
                    "--pooling", "bilinear");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).contains("already pooled");
            assertMatchesGolden(g, out, name + " (pooled input)");
        }
    }

    @Test
    void llavaOneVisionCaseBFromItsVideoFeatures() {
        // video_features.safetensors names the unpooled tensors projected / siglip_attn_score
        Path out = tmp.resolve("b.safetensors");
        Cli r = Cli.run("reduce", "--method", "holitom(r=0.15,tau=0.8)", "--features", SharedData.golden("llava-ov/video_features.safetensors").toString(),
                "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        try (GoldenCase b = GoldenCase.open("llava-ov", "case_b_video_holitom_outer")) {
            assertMatchesGolden(b, out, "llava-ov case b");
        }
    }

    static void assertMatchesGolden(GoldenCase g, Path out, String what) {
        try (Safetensors o = Safetensors.open(out)) {
            assertThat(o.get("visual_tokens").dtype()).isEqualTo(DType.F32);
            assertThat(o.get("provenance").dtype()).isEqualTo(DType.I64);
            assertThat(o.get("segments").dtype()).isEqualTo(DType.I64);
            assertThat(o.get("visual_tokens").shape()).containsExactly(g.shape("visual_tokens"));
            Approx.assertAbs(what + " visual_tokens", g.matrix("visual_tokens"), matrix(o, "visual_tokens"), 2e-5);
            assertThat(o.get("provenance").shape()).containsExactly(g.shape("provenance"));
            assertThat(o.get("provenance").toLongArray()).containsExactly(g.tensor("provenance").toLongArray());
            assertThat(o.get("segments").shape()).containsExactly(g.shape("selected_frames"));
            assertThat(o.get("segments").toLongArray()).containsExactly(g.tensor("selected_frames").toLongArray());
        }
    }

    @Test
    void noneLaysOutThePooledFramesAndOneNewline() {
        String name = "outer_ov_f8_r010_t065_onetoken";
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            Path out = tmp.resolve("none.safetensors");
            Cli r = Cli.run("reduce", "--method", "none", "--features", SharedData.golden(DIR).resolve(name + ".safetensors").toString(), "--out", out.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            float[][] pooled = g.matrix("pooled_feat");
            float[][] expected = Arrays.copyOf(pooled, pooled.length + 1);
            expected[pooled.length] = g.floats("image_newline");
            try (Safetensors o = Safetensors.open(out)) {
                Approx.assertAbs("none: pooled frames + image_newline", expected, matrix(o, "visual_tokens"), 1e-5);
                long[] prov = o.get("provenance").toLongArray();
                for (int i = 0; i < pooled.length; i++) {
                    assertThat(Arrays.copyOfRange(prov, 6 * i, 6 * i + 6)).containsExactly(0, i / 196, i % 196, i % 196 / 14, -1, -1);
                }
                assertThat(Arrays.copyOfRange(prov, 6 * pooled.length, prov.length)).containsExactly(3, -1, -1, -1, -1, -1);
                assertThat(o.has("segments")).as("no segments without HoliTom").isFalse();
            }
        }
    }

    @Test
    void visionZipKeepsTheTopScoredTokensPerFrameWithGridNewlines() throws Exception {
        String name = "outer_vid_f8_avgpool_r015_t080_grid";
        try (GoldenCase g = GoldenCase.open(DIR, name)) {
            // the goldens have no key metric; any [F, 729, dk] works for the dominant choice and the layout
            Path in = tmp.resolve("vz.safetensors");
            long[] fs = g.shape("features_729");
            new SafetensorsWriter()
                    .add("features_729", DType.F32, fs, bytes(g, "features_729"))
                    .add("attn_729", DType.F32, g.shape("attn_729"), bytes(g, "attn_729"))
                    .add("metric_729", DType.F32, fs, bytes(g, "features_729"))
                    .add("image_newline", DType.F32, g.shape("image_newline"), bytes(g, "image_newline"))
                    .write(in);
            Path out = tmp.resolve("vz_out.safetensors");
            Cli r = Cli.run("reduce", "--method", "visionzip(dominant=20,contextual=5)", "--features", in.toString(), "--out", out.toString(),
                    "--pooling", "avg", "--newline", "grid");
            assertThat(r.exit()).as(r.err()).isZero();
            float[][] attn = g.matrix("pooled_attn");
            int frames = attn.length, n = attn[0].length, side = 13;
            try (Safetensors o = Safetensors.open(out)) {
                long[] prov = o.get("provenance").toLongArray();
                int rows = prov.length / 6;
                assertThat(rows).isEqualTo(frames * (25 + side));
                assertThat(o.get("visual_tokens").shape()).containsExactly(rows, 64);
                for (int f = 0; f < frames; f++) {
                    final float[] a = attn[f];
                    int[] top = IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble((Integer i) -> -a[i]).thenComparing(i -> i))
                            .limit(20).mapToInt(Integer::intValue).sorted().toArray();
                    int ff = f;
                    int[] dominant = IntStream.range(0, rows).filter(i -> prov[6 * i] == 0 && prov[6 * i + 1] == ff).map(i -> (int) prov[6 * i + 2]).toArray();
                    assertThat(dominant).as("frame %d dominant positions = top 20 of the golden pooled_attn", f).containsExactly(top);
                    assertThat(IntStream.range(0, rows).filter(i -> prov[6 * i] == 1 && prov[6 * i + 1] == ff).count()).isEqualTo(5);
                    assertThat(IntStream.range(0, rows).filter(i -> prov[6 * i] == 3 && prov[6 * i + 1] == ff).count()).as("a newline after every row").isEqualTo(side);
                }
                float[][] pooled = g.matrix("pooled_feat");
                float[][] vt = matrix(o, "visual_tokens");
                for (int i = 0; i < rows; i++) {
                    if (prov[6 * i] == 0) assertThat(maxAbs(pooled[(int) (prov[6 * i + 1] * n + prov[6 * i + 2])], vt[i])).isLessThanOrEqualTo(1e-5);
                }
            }
        }
    }

    @Test
    void bareHoliTomAppliesItsOuterStageAndSaysTheInnerMergeIsLeftOut() {
        Path out = tmp.resolve("h.safetensors");
        Cli r = Cli.run("reduce", "--method", "holitom", "--features", SharedData.golden("llava-ov/video_features.safetensors").toString(),
                "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("inner merge").contains("not applied");
        try (GoldenCase b = GoldenCase.open("llava-ov", "case_b_video_holitom_outer")) {
            assertMatchesGolden(b, out, "bare holitom = case b");
        }
    }

    @Test
    void tokenMapIsDrawnOnTheInputFramesWhenTheFileHasThem() throws Exception {
        Path in = tmp.resolve("with_frames.safetensors");
        try (Safetensors f = Safetensors.open(SharedData.golden("llava-ov/video_features.safetensors"));
             Safetensors v = Safetensors.open(SharedData.golden("llava-ov/video_inputs.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String n : List.of("pooled", "pooled_attn_score", "image_newline")) w.add(n, DType.F32, f.get(n).shape(), raw(f, n));
            w.add("frames_uint8", DType.U8, v.get("frames_uint8").shape(), raw(v, "frames_uint8"));
            w.add("frame_indices", DType.I64, v.get("frame_indices").shape(), raw(v, "frame_indices"));
            w.write(in);
        }
        Path out = tmp.resolve("o.safetensors"), map = tmp.resolve("map.png");
        Cli r = Cli.run("reduce", "--method", "holitom(r=0.15,tau=0.8)", "--features", in.toString(), "--out", out.toString(), "--token-map", map.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        try (GoldenCase b = GoldenCase.open("llava-ov", "case_b_video_holitom_outer")) {
            assertMatchesGolden(b, out, "case b from pooled inputs");
        }
        BufferedImage img = ImageIO.read(map.toFile());
        assertThat(img.getWidth()).isGreaterThan(4 * 280);
        // frame 0 of scenes.mp4 starts with testsrc2's colour bars: the map shows the picture, not grey tiles
        boolean colourful = false;
        for (int x = 0; x < img.getWidth() && !colourful; x += 3) {
            for (int y = 0; y < img.getHeight() && !colourful; y += 3) {
                int c = img.getRGB(x, y);
                int rr = c >> 16 & 0xff, gg = c >> 8 & 0xff, bb = c & 0xff;
                colourful = Math.max(rr, Math.max(gg, bb)) - Math.min(rr, Math.min(gg, bb)) > 200;
            }
        }
        assertThat(colourful).isTrue();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("with_frames.safetensors", "o.safetensors", "map.png");
        }
    }

    @Test
    void tokenMapWithoutFramesUsesGreyTiles() throws Exception {
        Path out = tmp.resolve("o.safetensors"), map = tmp.resolve("map.png");
        Cli r = Cli.run("reduce", "--method", "visionzip(spatial=20)", "--features", golden("outer_vid_f8_avgpool_r015_t080_grid"), "--out", out.toString(),
                "--token-map", map.toString(), "--pooling", "avg");
        assertThat(r.exit()).isEqualTo(1); // visionzip needs the key metric
        assertThat(map).doesNotExist();
        r = Cli.run("reduce", "--method", "none", "--features", golden("outer_vid_f8_avgpool_r015_t080_grid"), "--out", out.toString(),
                "--token-map", map.toString(), "--pooling", "avg");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(ImageIO.read(map.toFile()).getHeight()).isGreaterThan(2 * 13 * 21);
    }

    static byte[] raw(Safetensors st, String name) {
        return st.get(name).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    // ---- errors: one line "jlava: ...", exit 1, no output file

    Cli fails(String... args) {
        Cli r = Cli.run(args);
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("jlava: ");
        return r;
    }

    String golden(String name) {
        return SharedData.golden(DIR).resolve(name + ".safetensors").toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fastv(K=2,R=0.5)", "pvtp", "vta", "st3", "holitom(outer=0,k=2)", "visionzip+fastv"})
    void stagesInsideTheDecoderAreRefused(String spec) {
        Path out = tmp.resolve("x.safetensors");
        Cli r = fails("reduce", "--method", spec, "--features", golden("outer_ov_f8_r010_t065_grid"), "--out", out.toString());
        assertThat(r.err()).contains("only outer stages apply to features");
        assertThat(out).doesNotExist();
    }

    @Test
    void badSpecsGiveTheParserMessage() {
        Path out = tmp.resolve("x.safetensors");
        assertThat(fails("reduce", "--method", "holitom(r=2)", "--features", golden("outer_ov_f8_r010_t065_grid"), "--out", out.toString()).err())
                .contains("r = 2.0 must be in (0, 1]");
        assertThat(fails("reduce", "--method", "tome(r=0.5)", "--features", golden("outer_ov_f8_r010_t065_grid"), "--out", out.toString()).err())
                .contains("unknown method 'tome'").contains("accepted");
        assertThat(fails("reduce", "--method", "visionzip(dominant=5", "--features", golden("outer_ov_f8_r010_t065_grid"), "--out", out.toString()).err())
                .contains("missing ')'");
        assertThat(out).doesNotExist();
    }

    @Test
    void missingTensorsAreNamedWithTheAcceptedNames() throws Exception {
        try (GoldenCase g = GoldenCase.open(DIR, "outer_ov_f8_r010_t065_grid")) {
            Path noAttn = tmp.resolve("noattn.safetensors");
            new SafetensorsWriter().add("features_729", DType.F32, g.shape("features_729"), bytes(g, "features_729"))
                    .add("image_newline", DType.F32, g.shape("image_newline"), bytes(g, "image_newline")).write(noAttn);
            Path out = tmp.resolve("x.safetensors");
            assertThat(fails("reduce", "--method", "holitom(r=0.1)", "--features", noAttn.toString(), "--out", out.toString()).err())
                    .contains("noattn.safetensors").contains("attention scores").contains("attn_729").contains("siglip_attn_score");
            assertThat(fails("reduce", "--method", "visionzip(spatial=30)", "--features", golden("outer_ov_f8_r010_t065_grid"), "--out", out.toString()).err())
                    .contains("key metric").contains("metric_729");
            // none needs no scores, but its newline does
            Path noNewline = tmp.resolve("nonl.safetensors");
            new SafetensorsWriter().add("pooled_feat", DType.F32, g.shape("pooled_feat"), bytes(g, "pooled_feat")).write(noNewline);
            assertThat(fails("reduce", "--method", "none", "--features", noNewline.toString(), "--out", out.toString()).err())
                    .contains("missing tensor 'image_newline'").contains("--newline no_token");
            assertThat(Cli.run("reduce", "--method", "none", "--features", noNewline.toString(), "--out", out.toString(), "--newline", "no_token").exit()).isZero();
            Files.delete(out);
            Path nothing = tmp.resolve("nothing.safetensors");
            new SafetensorsWriter().addF32("x", new float[] {1}, 1).write(nothing);
            assertThat(fails("reduce", "--method", "none", "--features", nothing.toString(), "--out", out.toString()).err())
                    .contains("no features tensor").contains("features_729").contains("pooled_feat").contains("the file has x");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void wrongShapesAreExplained() throws Exception {
        Path out = tmp.resolve("x.safetensors");
        Path a = tmp.resolve("a.safetensors");
        new SafetensorsWriter().addF32("features_729", new float[2 * 700 * 4], 2, 700, 4).addF32("attn_729", new float[2 * 700], 2, 700).write(a);
        assertThat(fails("reduce", "--method", "holitom(r=0.1)", "--features", a.toString(), "--out", out.toString(), "--newline", "no_token").err())
                .contains("features_729").contains("[2, 700, 4]").contains("square grid");
        Path b = tmp.resolve("b.safetensors");
        new SafetensorsWriter().addF32("features_729", new float[2 * 729 * 4], 2, 729, 4).addF32("attn_729", new float[3 * 729], 3, 729)
                .addF32("image_newline", new float[4], 4).write(b);
        assertThat(fails("reduce", "--method", "holitom(r=0.1)", "--features", b.toString(), "--out", out.toString()).err())
                .contains("'attn_729' has shape [3, 729], expected [2, 729]");
        Path c = tmp.resolve("c.safetensors");
        new SafetensorsWriter().addF32("pooled_feat", new float[196 * 4], 1, 196, 4).addF32("image_newline", new float[5], 5).write(c);
        assertThat(fails("reduce", "--method", "none", "--features", c.toString(), "--out", out.toString()).err())
                .contains("'image_newline' has shape [5], expected [4]");
        Path d = tmp.resolve("d.safetensors");
        new SafetensorsWriter().addI64("pooled_feat", new long[196 * 4], 1, 196, 4).write(d);
        assertThat(fails("reduce", "--method", "none", "--features", d.toString(), "--out", out.toString(), "--newline", "no_token").err())
                .contains("dtype I64");
        assertThat(out).doesNotExist();
    }

    @Test
    void unreadableInputsAndBadOptions() throws Exception {
        Path out = tmp.resolve("x.safetensors");
        assertThat(fails("reduce", "--method", "none", "--features", tmp.resolve("nope.safetensors").toString(), "--out", out.toString()).err())
                .contains("nope.safetensors: no such file");
        Path junk = tmp.resolve("junk.safetensors");
        Files.writeString(junk, "this is not a safetensors file at all");
        assertThat(fails("reduce", "--method", "none", "--features", junk.toString(), "--out", out.toString()).err())
                .contains("junk.safetensors").contains("not a safetensors file");
        String in = golden("outer_ov_f8_r010_t065_grid");
        assertThat(fails("reduce", "--method", "none", "--features", in, "--out", out.toString(), "--pooling", "max").err())
                .contains("--pooling max").contains("bilinear, avg");
        assertThat(fails("reduce", "--method", "none", "--features", in, "--out", out.toString(), "--newline", "frame").err())
                .contains("--newline frame");
        assertThat(fails("reduce", "--method", "none", "--features", in, "--out", tmp.resolve("no/such/dir/o.safetensors").toString()).err())
                .contains("does not exist");
        assertThat(out).doesNotExist();
    }

    @Test
    void aFailedRunLeavesAnExistingOutputUntouched() throws Exception {
        Path out = tmp.resolve("keep.safetensors");
        Files.writeString(out, "previous result");
        fails("reduce", "--method", "visionzip", "--features", golden("outer_ov_f8_r010_t065_grid"), "--out", out.toString());
        assertThat(out).hasContent("previous result");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("keep.safetensors");
        }
    }

    // ---- helpers

    static byte[] bytes(GoldenCase g, String name) {
        return g.tensor(name).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    static float[][] matrix(Safetensors st, String name) {
        var t = st.get(name);
        int cols = (int) t.cols(), rows = (int) t.rows();
        float[] all = t.toFloatArray();
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) System.arraycopy(all, r * cols, out[r], 0, cols);
        return out;
    }

    static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
