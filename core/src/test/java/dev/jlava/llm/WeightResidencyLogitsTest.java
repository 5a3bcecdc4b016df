package dev.jlava.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.SharedData;
import dev.jlava.kernel.WeightResidency;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same checkpoint gives the same logits, bit for bit, with weights copied at load or read from the file mapping. */
class WeightResidencyLogitsTest {
    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny-f32.gguf", "qwen2-tiny-f16.gguf", "qwen2-tiny-hf", "llama-tiny-f32.gguf"})
    void copiedAndMappedWeightsGiveIdenticalLogits(String model) {
        int[] ids = {1, 17, 42, 99, 5, 64, 3, 250, 11, 7, 30, 2, 77, 8};
        float[] copied = logits(model, WeightResidency.COPY, ids), mapped = logits(model, WeightResidency.MAPPED, ids);
        assertThat(mapped).isEqualTo(copied);
        assertThat(copied).isNotEmpty();
    }

    private static float[] logits(String model, WeightResidency r, int[] ids) {
        WeightResidency before = WeightResidency.current();
        WeightResidency.set(r);
        try (DecoderCheckpoint ck = DecoderCheckpoint.open(SharedData.golden("llm/" + model))) {
            Decoder dec = ck.decoder();
            int[] pos = new int[ids.length];
            for (int i = 0; i < pos.length; i++) pos[i] = i;
            KvCache cache = dec.newCache();
            float[] prompt = dec.forward(ids, pos, cache, Decoder.Options.ALL_LOGITS).logits(); // GEMM path
            float[] step = dec.forward(new int[] {9}, new int[] {ids.length}, cache, Decoder.Options.LAST_LOGITS).logits(); // GEMV path
            float[] all = java.util.Arrays.copyOf(prompt, prompt.length + step.length);
            System.arraycopy(step, 0, all, prompt.length, step.length);
            return all;
        } finally {
            WeightResidency.set(before);
        }
    }
}
