package dev.jlava.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jlava.cost.FlopCounter.Architecture;
import dev.jlava.reduce.st3.ProgressiveVisualTokenPruning;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Worked numbers from baselines.md §1 and st3.md §3.4; the exact count against a hand sum. */
class FlopCounterTest {

    @Test
    void fastvReadmeAndPaperRatios() {
        // baselines.md §1.2: n = 576 image + 41 text tokens
        assertThat(FlopCounter.fastvRatio(32, 3, 0.5, 617, 576, 4096, 11008)).isCloseTo(0.570, within(5e-4)); // README "FLOPS=57%"
        assertThat(FlopCounter.fastvRatio(40, 2, 0.5, 617, 576, 5120, 13824)).isCloseTo(0.551, within(5e-4)); // paper "45% reduction"
        // the paper's parameter table (13B): K=2 R=75% -> 67%, R=90% -> 80% reduction
        assertThat(1 - FlopCounter.fastvRatio(40, 2, 0.75, 617, 576, 5120, 13824)).isCloseTo(0.67, within(5e-3));
        assertThat(1 - FlopCounter.fastvRatio(40, 2, 0.90, 617, 576, 5120, 13824)).isCloseTo(0.80, within(5e-3));
    }

    @Test
    void llavaOneVision7bThirtyTwoFramesIs41TeraFlops() {
        // baselines.md §1.3: 6272 visual + ~30 text tokens, T·f(n) ≈ 41.0 TFLOPs
        assertThat(FlopCounter.paperPrefill(28, 6302, 3584, 18944) / 1e12).isCloseTo(41.0, within(0.05));
    }

    @Test
    void st3TableFromTheContinuousSchedule() {
        // st3.md §3.4 (40 text tokens; |V_l| = 576·(1−R)^(floor((l−k0)/S)+1) for l >= k0): prefill FLOPs vs dense
        assertThat(pvtpPrefillRatio(32, 4096, 11008, 2, 2, 0.2)).isCloseTo(0.344, within(5e-4));
        assertThat(pvtpPrefillRatio(32, 4096, 11008, 2, 1, 0.1)).isCloseTo(0.370, within(5e-4));
        assertThat(pvtpPrefillRatio(32, 4096, 11008, 2, 3, 0.3)).isCloseTo(0.317, within(5e-4));
        assertThat(pvtpPrefillRatio(32, 4096, 11008, 2, 4, 0.4)).isCloseTo(0.290, within(5e-4));
        assertThat(pvtpPrefillRatio(40, 5120, 13824, 2, 2, 0.2)).isCloseTo(0.293, within(5e-4));
        assertThat(pvtpPrefillRatio(40, 5120, 13824, 2, 1, 0.1)).isCloseTo(0.315, within(5e-4));
    }

    @Test
    void st3DefaultScheduleKeepsAboutThirtyPercentOfVisualKv() {
        // st3.md acceptance 3: mean kept visual fraction 0.304 for LLaVA-1.5-7B (2, 2, 0.2); our schedule rounds per event
        var pvtp = new ProgressiveVisualTokenPruning(ProgressiveVisualTokenPruning.Config.DEFAULTS);
        int[] s = pvtp.schedule(576, 32);
        assertThat(Arrays.stream(s).average().orElseThrow() / 576).isCloseTo(0.304, within(1.5e-3));
        assertThat(s[31]).isBetween(20, 21);
    }

    static double pvtpPrefillRatio(int layers, double d, double m, int k0, int stride, double r) {
        double[] n = new double[layers];
        for (int l = 0; l < layers; l++) n[l] = 40 + (l < k0 ? 576 : 576 * Math.pow(1 - r, (l - k0) / stride + 1));
        return FlopCounter.paperPrefill(n, d, m) / FlopCounter.paperPrefill(layers, 616, d, m);
    }

    @Test
    void paperDecodeTermAsPosted() {
        // l·R·((4d² + 2dm) + 2(d·n + d·(R+1)/2)) with l=2, d=4, m=8, n=10, R=3: 2·3·(64+64+2·(40+8)) = 1344
        assertThat(FlopCounter.paperDecode(2, 10, 4, 8, 3)).isEqualTo(1344.0);
        assertThat(FlopCounter.paperTotal(new double[] {10, 10}, 4, 8, 3)).isEqualTo(2 * FlopCounter.paperLayer(10, 4, 8) + 1344.0);
    }

    @Test
    void exactCountOfATinyDecoderByHand() {
        // hidden 4, ffn 6, 2 heads / 1 kv head of dim 2, gated, vocab 10, one layer on 3 tokens
        Architecture a = new Architecture(4, 6, 2, 1, 2, 1, 10, true);
        double q = 4 * 4, kv = 2 * 4 * 2, o = 4 * 4, ffn = 3 * 4 * 6;          // MACs per token
        double dense = 3 * 2 * (q + kv + o + ffn);
        double attn = 2 * 2 * 2 * 2 * (1 + 2 + 3);                          // 2 FLOPs · (QK + AV) · heads · dim · keys seen
        double head = 2 * 4 * 10;
        assertThat(FlopCounter.exactPrefill(a, new int[] {3}, 1)).isEqualTo(dense + attn + head);
        assertThat(FlopCounter.exactDecodeStep(a, new int[] {4})).isEqualTo(2 * (q + kv + o + ffn) + 2 * 2 * 2 * 2 * 4 + head);
    }

    @Property(tries = 200)
    void exactPrefillGrowsWithTokensAndPaperFormulaIsMonotone(@ForAll @IntRange(min = 1, max = 5000) int n, @ForAll @IntRange(min = 1, max = 500) int extra) {
        Architecture a = Architecture.QWEN2_0_5B;
        int[] small = new int[a.layers()], big = new int[a.layers()];
        Arrays.fill(small, n);
        Arrays.fill(big, n + extra);
        assertThat(FlopCounter.exactPrefill(a, big, 1)).isGreaterThan(FlopCounter.exactPrefill(a, small, 1));
        assertThat(FlopCounter.paperLayer(n + extra, 896, 4864)).isGreaterThan(FlopCounter.paperLayer(n, 896, 4864));
    }
}
