package dev.jlava.llm;

import dev.jlava.io.InMemoryWeights;
import dev.jlava.kernel.WeightCodec;
import dev.jlava.tensor.DType;
import dev.jlava.tensor.RandomTensors;
import dev.jlava.tensor.Tensor;

/**
 * Deterministic random weights of a given decoder shape, generated in memory (no file, no
 * download): for benchmarks on real shapes and for the demo. Values are uniform with the standard
 * deviations of the golden tiny models.
 */
public final class RandomDecoder {
    private RandomDecoder() {}

    public static Decoder create(DecoderConfig c, long seed) {
        return create(c, seed, DType.F32);
    }

    /**
     * Random weights with every 2-D weight (embedding included) stored in {@code dtype}, as
     * llama.cpp's converter does for F16/BF16/Q8_0/Q4_0 files; norms and biases stay F32.
     */
    public static Decoder create(DecoderConfig c, long seed, DType dtype) {
        InMemoryWeights w = new InMemoryWeights("random " + c.architecture() + " seed " + seed);
        TensorNames n = TensorNames.gguf();
        RandomTensors r = new RandomTensors(seed);
        w.put(matrix(n.embed(), c.vocab(), c.hidden(), 0.05f, r, dtype));
        for (int l = 0; l < c.layers(); l++) {
            w.put(vector(n.attnNorm(l), c.hidden(), r));
            w.put(matrix(n.q(l), c.qDim(), c.hidden(), 0.08f, r, dtype));
            w.put(matrix(n.k(l), c.kvDim(), c.hidden(), 0.08f, r, dtype));
            w.put(matrix(n.v(l), c.kvDim(), c.hidden(), 0.05f, r, dtype));
            if (c.qkvBias()) {
                w.put(bias(n.qBias(l), c.qDim(), r));
                w.put(bias(n.kBias(l), c.kvDim(), r));
                w.put(bias(n.vBias(l), c.kvDim(), r));
            }
            w.put(matrix(n.o(l), c.hidden(), c.qDim(), 0.05f, r, dtype));
            w.put(vector(n.ffnNorm(l), c.hidden(), r));
            w.put(matrix(n.gate(l), c.ffn(), c.hidden(), 0.05f, r, dtype));
            w.put(matrix(n.up(l), c.ffn(), c.hidden(), 0.05f, r, dtype));
            w.put(matrix(n.down(l), c.hidden(), c.ffn(), 0.05f, r, dtype));
        }
        w.put(vector(n.outputNorm(), c.hidden(), r));
        if (!c.tiedOutput()) w.put(matrix(n.output(), c.vocab(), c.hidden(), 0.05f, r, dtype));
        return new Decoder(c, DecoderWeights.load(c, w, n));
    }

    static Tensor matrix(String name, int rows, int cols, float std, RandomTensors r, DType dtype) {
        if (dtype == DType.F32) return r.tensor(name, std, 0f, rows, cols);
        return WeightCodec.tensor(name, dtype, r.values(Math.multiplyExact(rows, cols), std, 0f), rows, cols);
    }

    static Tensor vector(String name, int n, RandomTensors r) {
        return r.tensor(name, 0.1f, 1f, n);
    }

    static Tensor bias(String name, int n, RandomTensors r) {
        return r.tensor(name, 0.05f, 0f, n);
    }
}
