package dev.jlava.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.reduce.GoldenCase;
import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.SpatialPooling;
import dev.jlava.reduce.TemporalWindow;
import dev.jlava.reduce.TokenKind;
import dev.jlava.reduce.TokenOrigin;
import dev.jlava.reduce.VisualReducer;
import dev.jlava.reduce.VisualContext;
import dev.jlava.reduce.VisualTokens;
import dev.jlava.reduce.holitom.HoliTomConfig;
import dev.jlava.reduce.holitom.HoliTomOuter;
import dev.jlava.tensor.Tensor;
import dev.jlava.vision.image.RgbImage;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token map: layout, what each cell shows, windows, and the atomic PNG write. */
class TokenMapTest {
    @TempDir Path tmp;

    static final int WHITE = 0xFFFFFF;

    /** Two white 4x4-grid frames: (0,0) kept, (0,1)+(0,2)+(1,1)+(1,2) one static token, (1,5)+(1,6) one contextual, the rest dropped. */
    static VisualTokens synthetic() {
        int g = 4, n = g * g;
        TemporalWindow w = new TemporalWindow(0, 1);
        VisualTokens.Builder b = new VisualTokens.Builder(2, g);
        b.segment(w);
        b.add(new float[] {1}, TokenOrigin.kept(0, 0, g, w));
        b.add(new float[] {2}, TokenOrigin.of(TokenKind.STATIC, 0, 1, g, w, new int[] {1, 2, n + 1, n + 2}));
        b.add(new float[] {3}, TokenOrigin.of(TokenKind.CONTEXTUAL, 1, 5, g, w, new int[] {n + 5, n + 6}));
        Set<Integer> used = Set.of(0, 1, 2, n + 1, n + 2, n + 5, n + 6);
        for (int id = 0; id < 2 * n; id++) if (!used.contains(id)) b.drop(id);
        VisualTokens t = b.build();
        t.checkAccounting();
        return t;
    }

    static List<RgbImage> white(int frames) {
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) out.add(RgbImage.filled(64, 36, 255, 255, 255));
        return out;
    }

    static int px(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    static int centre(BufferedImage img, Rectangle r) {
        return px(img, r.x + r.width / 2, r.y + r.height / 2);
    }

    static boolean grey(int rgb) {
        return (rgb >> 16 & 0xff) == (rgb >> 8 & 0xff) && (rgb >> 8 & 0xff) == (rgb & 0xff);
    }

    static int brightness(int rgb) {
        return Math.max(rgb >> 16 & 0xff, Math.max(rgb >> 8 & 0xff, rgb & 0xff));
    }

    @Test
    void eachCellShowsWhatHappenedToItsToken() throws Exception {
        VisualTokens t = synthetic();
        TokenMap m = new TokenMap(white(2), new int[] {10, 99}, t, 4, t.segments(), "test");
        Path out = tmp.resolve("map.png");
        m.write(out);
        BufferedImage img = ImageIO.read(out.toFile());
        assertThat(img.getWidth()).isEqualTo(m.width());
        assertThat(img.getHeight()).isEqualTo(m.height());

        // kept: a bright ring inside a dark 1-pixel edge, the picture untouched inside
        Rectangle kept = m.cell(0, 0);
        assertThat(m.fate(0, 0)).isEqualTo(TokenMap.Fate.KEPT);
        assertThat(px(img, kept.x, kept.y + kept.height / 2)).isEqualTo(TokenMap.KEPT_EDGE.getRGB() & 0xFFFFFF);
        for (int k = 1; k <= m.keptRing(); k++) {
            assertThat(px(img, kept.x + k, kept.y + kept.height / 2)).isEqualTo(TokenMap.KEPT_OUTLINE.getRGB() & 0xFFFFFF);
            assertThat(px(img, kept.x + kept.width / 2, kept.y + kept.height - 1 - k)).isEqualTo(TokenMap.KEPT_OUTLINE.getRGB() & 0xFFFFFF);
        }
        assertThat(centre(img, kept)).isEqualTo(WHITE);

        // dropped: grey and dark
        for (int p : new int[] {3, 15}) {
            assertThat(m.fate(0, p)).isEqualTo(TokenMap.Fate.DROPPED);
            int c = centre(img, m.cell(0, p));
            assertThat(grey(c)).isTrue();
            assertThat(brightness(c)).isLessThan(255 * 2 / 5);
        }

        // merged: every original of one output token gets the same tint, in both frames of the static token's window
        Color st = m.clusterColourOf(0, 1);
        assertThat(st).isNotNull();
        assertThat(m.clusterColourOf(0, 2)).isEqualTo(st);
        assertThat(m.clusterColourOf(1, 1)).isEqualTo(st);
        assertThat(m.clusterColourOf(1, 2)).isEqualTo(st);
        Color ctx = m.clusterColourOf(1, 5);
        assertThat(ctx).isNotEqualTo(st).isEqualTo(m.clusterColourOf(1, 6));
        int tinted = TokenMap.tint(WHITE, st);
        assertThat(centre(img, m.cell(0, 2))).isEqualTo(tinted);
        assertThat(centre(img, m.cell(1, 1))).isEqualTo(tinted);
        assertThat(centre(img, m.cell(1, 2))).isEqualTo(tinted);
        assertThat(centre(img, m.cell(1, 6))).isEqualTo(TokenMap.tint(WHITE, ctx));
        // the dot marks where each merged token sits: the static one in its window's first frame
        assertThat(centre(img, m.cell(0, 1))).isEqualTo(st.getRGB() & 0xFFFFFF);
        assertThat(centre(img, m.cell(1, 5))).isEqualTo(ctx.getRGB() & 0xFFFFFF);

        // the window's bar runs under both frames
        List<Rectangle> bars = m.segmentBars(0);
        assertThat(bars).hasSize(1);
        Rectangle bar = bars.get(0);
        assertThat(bar.x).isLessThan(m.thumbnail(0).x + m.thumbnail(0).width);
        assertThat(bar.x + bar.width).isGreaterThan(m.thumbnail(1).x);
        assertThat(centre(img, bar)).isEqualTo(TokenMap.windowColour(0).getRGB() & 0xFFFFFF);
        assertThat(px(img, m.thumbnail(0).x + 5, bar.y + bar.height / 2)).isEqualTo(TokenMap.windowColour(0).getRGB() & 0xFFFFFF);
        assertThat(px(img, m.thumbnail(1).x + m.thumbnail(1).width - 6, bar.y + bar.height / 2)).isEqualTo(TokenMap.windowColour(0).getRGB() & 0xFFFFFF);
    }

    @Test
    void llavaOneVisionCaseBShowsTheGoldenDecisions() throws Exception {
        List<RgbImage> frames = new ArrayList<>();
        int[] indices;
        try (Safetensors in = Safetensors.open(SharedData.golden("llava-ov/video_inputs.safetensors"))) {
            Tensor t = in.get("frames_uint8");
            int h = (int) t.dim(1), w = (int) t.dim(2);
            long bytes = (long) h * w * 3;
            for (int f = 0; f < t.dim(0); f++) frames.add(new RgbImage(w, h, t.data().asSlice(f * bytes, bytes).toArray(ValueLayout.JAVA_BYTE)));
            indices = in.get("frame_indices").toIntArray();
        }
        VisualTokens v;
        try (Safetensors f = Safetensors.open(SharedData.golden("llava-ov/video_features.safetensors"))) {
            float[][][] projected = cube(f.get("projected"));
            float[][] score = matrix(f.get("siglip_attn_score"));
            v = new HoliTomOuter(new HoliTomConfig(0.15, 0.8, 0.6, 0, 7, 1024, false))
                    .runUnpooled(projected, score, 27, SpatialPooling.Mode.BILINEAR, f.get("image_newline").toFloatArray(), NewlineMode.ONE_TOKEN).tokens();
        }
        int[][] prov;
        try (GoldenCase b = GoldenCase.open("llava-ov", "case_b_video_holitom_outer")) {
            prov = b.intMatrix("provenance");
            assertThat(v.provenance()).as("the tokens drawn are the golden ones").isDeepEqualTo(Arrays.stream(prov)
                    .map(r -> Arrays.stream(r).asLongStream().toArray()).toArray(long[][]::new));
            assertThat(v.segments().stream().map(w -> new int[] {w.start(), w.end()}).toArray(int[][]::new)).isDeepEqualTo(b.intMatrix("selected_frames"));
        }
        TokenMap m = new TokenMap(frames, indices, v, 14, v.segments(), "holitom · case b");
        Path out = tmp.resolve("b.png");
        m.write(out);
        BufferedImage img = ImageIO.read(out.toFile());
        assertThat(img.getWidth()).isEqualTo(m.width()).isGreaterThanOrEqualTo(4 * m.thumb + 2 * TokenMap.PAD);
        assertThat(img.getHeight()).isEqualTo(m.height()).isGreaterThan(2 * m.thumb);

        // every golden dominant token is outlined, every golden static token sits at a dot
        Set<Integer> dominant = new HashSet<>();
        for (int[] r : prov) {
            if (r[0] == 0) {
                dominant.add(r[1] * 196 + r[2]);
                Rectangle c = m.cell(r[1], r[2]);
                assertThat(px(img, c.x + 1, c.y + c.height / 2)).as("kept (%d, %d)", r[1], r[2]).isEqualTo(TokenMap.KEPT_OUTLINE.getRGB() & 0xFFFFFF);
            } else if (r[0] == 2) {
                assertThat(m.fate(r[1], r[2])).isEqualTo(TokenMap.Fate.MERGED);
                assertThat(centre(img, m.cell(r[1], r[2]))).isEqualTo(m.clusterColourOf(r[1], r[2]).getRGB() & 0xFFFFFF);
            }
        }
        int dropped = 0;
        for (int f = 0; f < 8; f++) {
            for (int p = 0; p < 196; p++) {
                TokenMap.Fate fate = m.fate(f, p);
                assertThat(fate == TokenMap.Fate.KEPT).as("(%d, %d) kept", f, p).isEqualTo(dominant.contains(f * 196 + p));
                if (fate == TokenMap.Fate.DROPPED) {
                    dropped++;
                    int c = centre(img, m.cell(f, p));
                    assertThat(grey(c) && brightness(c) < 100).as("(%d, %d) dimmed", f, p).isTrue();
                }
            }
        }
        assertThat(dropped).isEqualTo(v.dropped().length).isPositive();
        // one bar per window, in the window's colour, under the window's frames
        for (int i = 0; i < v.segments().size(); i++) {
            TemporalWindow w = v.segments().get(i);
            for (Rectangle bar : m.segmentBars(i)) {
                assertThat(centre(img, bar)).isEqualTo(TokenMap.windowColour(i).getRGB() & 0xFFFFFF);
                assertThat(bar.y).isGreaterThan(m.thumbnail(w.start()).y + m.thumb);
            }
            assertThat(m.segmentBars(i).get(0).x).isBetween(m.thumbnail(w.start()).x, m.thumbnail(w.start()).x + 4);
        }
    }

    @Test
    void withoutReductionEveryCellShowsThePicture() throws Exception {
        float[][][] x = new float[3][9][2];
        VisualTokens v = VisualReducer.NONE.reduce(VisualTokens.ofFrames(x, 3), new VisualContext(null, new float[2], NewlineMode.ONE_TOKEN));
        TokenMap m = new TokenMap(white(3), null, v, null);
        BufferedImage img = m.render();
        for (int f = 0; f < 3; f++) {
            for (int p = 0; p < 9; p++) {
                assertThat(m.fate(f, p)).isEqualTo(TokenMap.Fate.KEPT);
                assertThat(centre(img, m.cell(f, p))).isEqualTo(WHITE);
            }
            Rectangle t = m.thumbnail(f);
            for (int y = t.y; y < t.y + t.height; y++) {
                for (int xx = t.x; xx < t.x + t.width; xx++) {
                    assertThat(px(img, xx, y)).as("no highlight needed").isNotEqualTo(TokenMap.KEPT_OUTLINE.getRGB() & 0xFFFFFF);
                }
            }
        }
        assertThat(m.width()).isEqualTo(img.getWidth());
    }

    @Test
    void aSingleImageHasNoWindowBar() {
        VisualTokens.Builder b = new VisualTokens.Builder(1, 2);
        b.segment(new TemporalWindow(0, 0));
        b.add(new float[] {1}, TokenOrigin.kept(0, 3, 2, new TemporalWindow(0, 0)));
        b.dropAll(new int[] {0, 1, 2});
        VisualTokens v = b.build();
        TokenMap m = new TokenMap(List.of(RgbImage.filled(30, 20, 200, 10, 10)), null, v, "one image");
        BufferedImage img = m.render();
        assertThat(img.getWidth()).isEqualTo(m.width());
        assertThat(m.fate(0, 3)).isEqualTo(TokenMap.Fate.KEPT);
        assertThat(centre(img, m.cell(0, 3))).isEqualTo(0xC80A0A);
        assertThat(brightness(centre(img, m.cell(0, 0)))).isLessThan(100);
        assertThatThrownBy(() -> m.segmentBars(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aClipImageWithItsClassTokenAfterVisionZip() {
        // LLaVA-1.5's VisionZip keeps CLS, which has no cell; 3x3 patches: CLS + 2 dominant, 2 contextual absorbing the other 7
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        float[][] patches = new float[9][4], metric = new float[9][3];
        float[] score = new float[9];
        for (int p = 0; p < 9; p++) {
            for (int k = 0; k < 4; k++) patches[p][k] = (float) r.nextGaussian();
            for (int k = 0; k < 3; k++) metric[p][k] = (float) r.nextGaussian();
            score[p] = (float) r.nextDouble();
        }
        VisualTokens v = new dev.jlava.reduce.visionzip.VisionZip(3, 2).reduceClip(new float[4], patches, 3, score, metric);
        TokenMap m = new TokenMap(List.of(RgbImage.filled(336, 336, 90, 160, 220)), null, v, "visionzip on CLIP");
        BufferedImage img = m.render();
        int kept = 0, merged = 0;
        for (int p = 0; p < 9; p++) {
            switch (m.fate(0, p)) {
                case KEPT -> kept++;
                case MERGED -> merged++;
                case DROPPED -> { }
            }
            Rectangle c = m.cell(0, p);
            if (m.fate(0, p) == TokenMap.Fate.KEPT) assertThat(px(img, c.x + 1, c.y + c.height / 2)).isEqualTo(TokenMap.KEPT_OUTLINE.getRGB() & 0xFFFFFF);
        }
        assertThat(kept).isEqualTo(2);
        assertThat(merged).isEqualTo(7);
    }

    @Test
    void aWindowAcrossTwoRowsOfFramesGetsTwoBarPieces() {
        int frames = 10;
        VisualTokens.Builder b = new VisualTokens.Builder(frames, 1);
        List<TemporalWindow> ws = List.of(new TemporalWindow(0, 5), new TemporalWindow(6, 9));
        b.segments(ws);
        for (int f = 0; f < frames; f++) b.add(new float[] {f}, TokenOrigin.kept(f, 0, 1, ws.get(f < 6 ? 0 : 1)));
        TokenMap m = new TokenMap(null, null, b.build(), null);
        BufferedImage img = m.render();
        assertThat(m.segmentBars(0)).hasSize(1);
        List<Rectangle> second = m.segmentBars(1);
        assertThat(second).hasSize(2);
        assertThat(second.get(1).y).isGreaterThan(second.get(0).y);
        for (Rectangle r : second) assertThat(centre(img, r)).isEqualTo(TokenMap.windowColour(1).getRGB() & 0xFFFFFF);
    }

    @Test
    void theWriteIsAtomic() throws Exception {
        VisualTokens t = synthetic();
        Path out = tmp.resolve("m.png");
        Files.writeString(out, "old");
        TokenMap.write(out, white(2), null, t, "x");
        assertThat(ImageIO.read(out.toFile())).isNotNull();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("m.png");
        }
        Path missing = tmp.resolve("no/such/folder/m.png");
        assertThatThrownBy(() -> TokenMap.write(missing, white(2), null, t, "x")).isInstanceOf(UserError.class).hasMessageContaining("does not exist");
        Path dir = Files.createDirectory(tmp.resolve("d.png"));
        assertThatThrownBy(() -> TokenMap.write(dir, white(2), null, t, "x")).isInstanceOf(UserError.class).hasMessageContaining("is a folder");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("m.png", "d.png");
        }
    }

    @Test
    void mismatchedInputsAreRefused() {
        VisualTokens t = synthetic();
        assertThatThrownBy(() -> new TokenMap(white(3), null, t, null)).hasMessageContaining("3 frames for tokens of 2 frames");
        assertThatThrownBy(() -> new TokenMap(white(2), new int[] {1}, t, null)).hasMessageContaining("1 frame indices");
        assertThatThrownBy(() -> new TokenMap(white(2), null, t, 14, t.segments(), null)).hasMessageContaining("grid side 14");
        assertThatThrownBy(() -> new TokenMap(white(2), null, t, 4, List.of(new TemporalWindow(1, 2)), null)).hasMessageContaining("beyond");
    }

    static float[][][] cube(Tensor t) {
        int a = (int) t.dim(0), b = (int) t.dim(1), c = (int) t.dim(2);
        float[][][] out = new float[a][b][c];
        for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) t.rowToFloats((long) i * b + j, out[i][j], 0);
        return out;
    }

    static float[][] matrix(Tensor t) {
        int a = (int) t.dim(0), b = (int) t.dim(1);
        float[][] out = new float[a][b];
        for (int i = 0; i < a; i++) t.rowToFloats(i, out[i], 0);
        return out;
    }
}
