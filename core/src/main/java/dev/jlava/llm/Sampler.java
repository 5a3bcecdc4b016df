package dev.jlava.llm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (argmax, lowest id on ties, as llama.cpp's greedy
 * sampler) or temperature + top-k + top-p with a seeded generator, so a seed reproduces a run.
 */
public final class Sampler {
    private final float temperature;
    private final int topK;
    private final float topP;
    private final SplittableRandom random;

    private Sampler(float temperature, int topK, float topP, long seed) {
        if (temperature < 0 || Float.isNaN(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public static Sampler greedy() {
        return new Sampler(0, 0, 1, 0);
    }

    public static Sampler of(float temperature, int topK, float topP, long seed) {
        return new Sampler(temperature, topK, topP, seed);
    }

    public boolean isGreedy() { return temperature == 0; }

    public static int argmax(float[] logits, int off, int n) {
        int best = 0;
        float bv = logits[off];
        for (int i = 1; i < n; i++) {
            float v = logits[off + i];
            if (v > bv) { bv = v; best = i; }
        }
        return best;
    }

    public int sample(float[] logits) {
        if (temperature == 0) return argmax(logits, 0, logits.length);
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        int k = topK > 0 ? Math.min(topK, n) : n;
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        double max = logits[order[0]];
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / temperature);
            sum += p[i];
        }
        int keep = k;
        double cum = 0;
        for (int i = 0; i < k; i++) {
            cum += p[i] / sum;
            if (cum >= topP) { keep = i + 1; break; }
        }
        double total = 0;
        for (int i = 0; i < keep; i++) total += p[i];
        double r = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            r -= p[i];
            if (r <= 0) return order[i];
        }
        return order[keep - 1];
    }
}
