package dev.jlava.cost;

import dev.jlava.llm.DecoderConfig;

/**
 * The decoder-side costs of one request against the same request without reduction: prefill
 * FLOPs (the papers' formula and the exact count for the architecture) and KV-cache bytes.
 *
 * @param rowsPerLayer  rows each layer processed in prefill with reduction
 * @param noneRows      prompt length without any reduction (all visual tokens, every layer)
 * @param generated     tokens generated (the KV cache then holds generated - 1 more entries)
 */
public record RunCosts(DecoderConfig config, int[] rowsPerLayer, int noneRows, long kvBytesEnd, int generated) {

    public FlopCounter.Architecture architecture() {
        DecoderConfig c = config;
        return new FlopCounter.Architecture(c.hidden(), c.ffn(), c.heads(), c.kvHeads(), c.headDim(), c.layers(), c.vocab(), true);
    }

    public double prefillFlopsExact() {
        return FlopCounter.exactPrefill(architecture(), rowsPerLayer, 1);
    }

    public double prefillFlopsExactNone() {
        return FlopCounter.exactPrefill(architecture(), FlopCounter.filledInt(config.layers(), noneRows), 1);
    }

    /** The papers' formula (holitom.md section 13): sum over layers of 4nd^2 + 2n^2d + 2ndm. */
    public double prefillFlopsPaper() {
        double[] n = new double[rowsPerLayer.length];
        for (int i = 0; i < n.length; i++) n[i] = rowsPerLayer[i];
        return FlopCounter.paperPrefill(n, config.hidden(), config.ffn());
    }

    public double prefillFlopsPaperNone() {
        return FlopCounter.paperPrefill(config.layers(), noneRows, config.hidden(), config.ffn());
    }

    /** KV bytes the unreduced request would hold at the end (float32 cache). */
    public long kvBytesNone() {
        long entries = noneRows + Math.max(0, generated - 1);
        return 2L * entries * config.kvDim() * Float.BYTES * config.layers();
    }
}
