package dev.jlava.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.tensor.DType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoders of shapes other than the golden ones, written in the real formats by a fixture. */
class DecoderInvariantsTest {
    @TempDir Path tmp;

    static Stream<Arguments> configs() {
        return Stream.of(
                // arch, hidden, layers, heads, kv, headDim, ffn, vocab, theta, bias, tied
                Arguments.of(new DecoderConfig(DecoderConfig.Architecture.QWEN2, 48, 3, 6, 2, 8, 80, 300, 1e6, 1e-6f, true, true, DecoderConfig.RopeStyle.NEOX, 512)),
                Arguments.of(new DecoderConfig(DecoderConfig.Architecture.QWEN2, 64, 4, 4, 4, 24, 96, 257, 5e5, 1e-6f, true, false, DecoderConfig.RopeStyle.NEOX, 512)),
                Arguments.of(new DecoderConfig(DecoderConfig.Architecture.LLAMA, 40, 5, 5, 1, 8, 72, 333, 1e4, 1e-5f, false, false, DecoderConfig.RopeStyle.NEOX, 512)),
                Arguments.of(new DecoderConfig(DecoderConfig.Architecture.LLAMA, 96, 2, 3, 3, 32, 64, 128, 3e4, 1e-5f, false, true, DecoderConfig.RopeStyle.NEOX, 512)));
    }

    static int[] iota(int from, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = from + i;
        return p;
    }

    @ParameterizedTest
    @MethodSource("configs")
    void cachedDecodeEqualsFreshPrefillAndFormatsAgree(DecoderConfig c) throws Exception {
        Map<String, float[]> w = RandomCheckpoints.weights(c, 1234 + c.hidden());
        Path hf = tmp.resolve("hf"), sharded = tmp.resolve("sharded"), bf16 = tmp.resolve("bf16"), gguf = tmp.resolve("m.gguf");
        RandomCheckpoints.writeHf(hf, c, w, DType.F32, 1);
        RandomCheckpoints.writeHf(sharded, c, w, DType.F32, 3);
        RandomCheckpoints.writeHf(bf16, c, w, DType.BF16, 1);
        RandomCheckpoints.writeGguf(gguf, c, w);
        Random r = new Random(7);
        int[] prompt = r.ints(11, 0, c.vocab()).toArray();
        int[] extra = r.ints(4, 0, c.vocab()).toArray();
        int[] all = new int[prompt.length + extra.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(extra, 0, all, prompt.length, extra.length);

        float[] fresh;
        try (DecoderCheckpoint ck = DecoderCheckpoint.open(hf)) {
            assertThat(ck.config()).isEqualTo(c);
            Decoder d = ck.decoder();
            fresh = d.forward(all, iota(0, all.length), d.newCache(), Decoder.Options.ALL_LOGITS).logits();
            // KV-cached: prompt, then one token at a time; each step equals the fresh row.
            KvCache cache = d.newCache();
            d.forward(prompt, iota(0, prompt.length), cache, Decoder.Options.LAST_LOGITS);
            for (int s = 0; s < extra.length; s++) {
                float[] step = d.forward(new int[] {extra[s]}, new int[] {prompt.length + s}, cache, Decoder.Options.LAST_LOGITS).logits();
                assertThat(maxDiff(step, 0, fresh, (prompt.length + s) * c.vocab(), c.vocab())).as("decode step %d", s).isLessThan(1e-5);
            }
            assertThat(cache.layer(c.layers() - 1).length()).isEqualTo(all.length);
        }
        for (Path other : new Path[] {sharded, gguf}) {
            try (DecoderCheckpoint ck = DecoderCheckpoint.open(other)) {
                Decoder d = ck.decoder();
                float[] got = d.forward(all, iota(0, all.length), d.newCache(), Decoder.Options.ALL_LOGITS).logits();
                assertThat(maxDiff(got, 0, fresh, 0, fresh.length)).as(other.getFileName().toString()).isLessThan(1e-5);
            }
        }
        try (DecoderCheckpoint ck = DecoderCheckpoint.open(bf16)) {
            Decoder d = ck.decoder();
            float[] got = d.forward(all, iota(0, all.length), d.newCache(), Decoder.Options.ALL_LOGITS).logits();
            // bf16 keeps 8 mantissa bits: logits move by a few 1e-3 at these weight scales.
            assertThat(maxDiff(got, 0, fresh, 0, fresh.length)).as("bf16").isLessThan(0.05).isGreaterThan(0);
        }
    }

    static double maxDiff(float[] a, int ao, float[] b, int bo, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, Math.abs(a[ao + i] - b[bo + i]));
        return m;
    }
}
