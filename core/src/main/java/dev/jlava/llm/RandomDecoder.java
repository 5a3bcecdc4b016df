package dev.jlava.llm;

import dev.jlava.io.InMemoryWeights;
import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Deterministic random weights of a given decoder shape, generated in memory (no file, no
 * download): for benchmarks on real shapes and for the demo. Values are uniform with the standard
 * deviations of the golden tiny models; a SplitMix64 stream keeps generation at ~1 ns/value.
 */
public final class RandomDecoder {
    private RandomDecoder() {}

    public static Decoder create(DecoderConfig c, long seed) {
        InMemoryWeights w = new InMemoryWeights("random " + c.architecture() + " seed " + seed);
        TensorNames n = TensorNames.gguf();
        Rng r = new Rng(seed);
        w.put(matrix(n.embed(), c.vocab(), c.hidden(), 0.05f, r));
        for (int l = 0; l < c.layers(); l++) {
            w.put(vector(n.attnNorm(l), c.hidden(), r));
            w.put(matrix(n.q(l), c.qDim(), c.hidden(), 0.08f, r));
            w.put(matrix(n.k(l), c.kvDim(), c.hidden(), 0.08f, r));
            w.put(matrix(n.v(l), c.kvDim(), c.hidden(), 0.05f, r));
            if (c.qkvBias()) {
                w.put(bias(n.qBias(l), c.qDim(), r));
                w.put(bias(n.kBias(l), c.kvDim(), r));
                w.put(bias(n.vBias(l), c.kvDim(), r));
            }
            w.put(matrix(n.o(l), c.hidden(), c.qDim(), 0.05f, r));
            w.put(vector(n.ffnNorm(l), c.hidden(), r));
            w.put(matrix(n.gate(l), c.ffn(), c.hidden(), 0.05f, r));
            w.put(matrix(n.up(l), c.ffn(), c.hidden(), 0.05f, r));
            w.put(matrix(n.down(l), c.hidden(), c.ffn(), 0.05f, r));
        }
        w.put(vector(n.outputNorm(), c.hidden(), r));
        if (!c.tiedOutput()) w.put(matrix(n.output(), c.vocab(), c.hidden(), 0.05f, r));
        return new Decoder(c, DecoderWeights.load(c, w, n));
    }

    static Tensor matrix(String name, int rows, int cols, float std, Rng r) {
        float[] a = new float[Math.multiplyExact(rows, cols)];
        r.fill(a, std, 0);
        return new Tensor(name, DType.F32, new long[] {rows, cols}, MemorySegment.ofArray(a));
    }

    static Tensor vector(String name, int n, Rng r) {
        float[] a = new float[n];
        r.fill(a, 0.1f, 1f);
        return new Tensor(name, DType.F32, new long[] {n}, MemorySegment.ofArray(a));
    }

    static Tensor bias(String name, int n, Rng r) {
        float[] a = new float[n];
        r.fill(a, 0.05f, 0f);
        return new Tensor(name, DType.F32, new long[] {n}, MemorySegment.ofArray(a));
    }

    /** SplitMix64; uniform values scaled to the requested standard deviation. */
    static final class Rng {
        private long s;

        Rng(long seed) { this.s = seed; }

        long next() {
            long z = (s += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        void fill(float[] a, float std, float mean) {
            float scale = std * (float) Math.sqrt(3) * 2f / (1 << 24);
            float off = mean - std * (float) Math.sqrt(3);
            for (int i = 0; i < a.length; i++) a[i] = off + (next() >>> 40) * scale;
        }
    }
}
