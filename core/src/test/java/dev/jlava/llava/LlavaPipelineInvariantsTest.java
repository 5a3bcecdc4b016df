package dev.jlava.llava;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.llm.DecoderConfig;
import dev.jlava.llm.Sampler;
import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.ReductionPlanParser;
import dev.jlava.reduce.SpatialPooling;
import dev.jlava.reduce.TokenKind;
import dev.jlava.vision.Activation;
import dev.jlava.vision.VisionConfig;
import dev.jlava.vision.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OneVision video path on random models of shapes other than the golden one (3 vision layers,
 * hidden 48, 3 decoder layers, other frame counts): visual token counts follow the formulas, every
 * original token is accounted for, and the KV caches hold what the plan says.
 */
class LlavaPipelineInvariantsTest {
    static LlavaModel m;

    @BeforeAll
    static void create() {
        VisionConfig v = new VisionConfig(VisionConfig.Family.SIGLIP, 48, 96, 3, 3, 3, 384, 14, 1e-6,
                Activation.GELU_TANH, new int[] {-1}, VisionConfig.Strategy.FULL, Activation.GELU_ERF, true);
        DecoderConfig t = new DecoderConfig(DecoderConfig.Architecture.QWEN2, 72, 3, 6, 2, 12, 144, 300, 1e6, 1e-6f, true, true,
                DecoderConfig.RopeStyle.NEOX, 32768);
        m = RandomLlava.create(new RandomLlava.Shape("test", v, t), 99);
    }

    @AfterAll
    static void close() {
        m.close();
    }

    static List<RgbImage> frames(int n, long seed) {
        Random r = new Random(seed);
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // two "scenes": the first half one colour field, the second another, each with noise
            int base = i < n / 2 ? 40 : 200;
            byte[] px = new byte[64 * 48 * 3];
            for (int j = 0; j < px.length; j++) px[j] = (byte) Math.min(255, base + r.nextInt(30));
            out.add(new RgbImage(64, 48, px));
        }
        return out;
    }

    @ParameterizedTest(name = "{0} frames, {1}, newline {2}")
    @CsvSource(delimiter = ';', value = {
            "1; none; ONE_TOKEN", "3; none; ONE_TOKEN", "3; none; GRID", "5; holitom(r=0.3,tau=0.8); ONE_TOKEN",
            "4; holitom(r=0.3,tau=0.8,k=2,mr=0.5); GRID", "6; fastv(K=1,R=0.5)+vta(floor=0.5,horizon=4); ONE_TOKEN"})
    void countsFollowTheFormulas(int n, String plan, String newline) {
        NewlineMode nl = NewlineMode.valueOf(newline);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i * 10;
        LlavaPipeline.Result r = LlavaPipeline.run(m, new LlavaPipeline.Request(frames(n, n), idx, true, "What happens?",
                ReductionPlanParser.parse(plan), 5, Sampler.greedy(), false, SpatialPooling.Mode.BILINEAR, nl, null, null));
        int perFrame = 14 * 14;
        assertThat(r.visualIn()).isEqualTo(n * perFrame);
        assertThat(r.visualNone()).isEqualTo(n * perFrame + (nl == NewlineMode.ONE_TOKEN ? 1 : n * 14));
        r.tokens().checkAccounting();
        int newlines = r.tokens().count(TokenKind.NEWLINE);
        if (nl == NewlineMode.ONE_TOKEN) assertThat(newlines).isEqualTo(1);
        if (nl == NewlineMode.GRID && plan.equals("none")) assertThat(newlines).isEqualTo(n * 14);
        int text = r.promptIds().length - r.visualCount();
        int[] rows = r.rowsPerLayer();
        assertThat(rows[0]).isEqualTo(text + r.visualCount());
        for (int l = 1; l < rows.length; l++) assertThat(rows[l]).isLessThanOrEqualTo(rows[l - 1]);
        if (plan.equals("none")) {
            assertThat(r.visualCount()).isEqualTo(r.visualNone());
            assertThat(rows).containsOnly(rows[0]);
        }
        if (plan.startsWith("fastv")) {
            // K=1: layer 0 dense, later layers keep round(N_img * 0.5) grid tokens plus the newline and the text
            assertThat(rows[1]).isEqualTo(text + Math.round(n * perFrame * 0.5f) + 1);
            long kvEnd = r.kvBytesPerStep().get(r.kvBytesPerStep().size() - 1);
            assertThat(kvEnd).isLessThan(r.kvBytesPerStep().get(0) + 4L * 2 * m.decoder().config().kvDim() * 3);
        }
        assertThat(r.generated()).hasSize(5);
    }
}
