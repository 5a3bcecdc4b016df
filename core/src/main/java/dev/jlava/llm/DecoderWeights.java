package dev.jlava.llm;

import dev.jlava.io.WeightLoader;
import dev.jlava.io.WeightStore;
import dev.jlava.kernel.Linear;
import dev.jlava.tensor.Tensor;

/**
 * The decoder's weights as views over the mapped checkpoint (no heap copies of matrices; norms and
 * biases, which are tiny, are copied to float arrays). Every shape is checked against the config.
 */
public final class DecoderWeights {
    /** One transformer block. Biases are null when the architecture has none. */
    public record Layer(float[] attnNorm, Linear q, Linear k, Linear v, Linear o,
                        float[] qBias, float[] kBias, float[] vBias,
                        float[] ffnNorm, Linear gate, Linear up, Linear down) {}

    private final Tensor embedding;
    private final Layer[] layers;
    private final float[] outputNorm;
    private final Linear output;

    public DecoderWeights(Tensor embedding, Layer[] layers, float[] outputNorm, Linear output) {
        this.embedding = embedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
    }

    public Tensor embedding() { return embedding; }

    public Layer layer(int l) { return layers[l]; }

    public int layerCount() { return layers.length; }

    public float[] outputNorm() { return outputNorm; }

    public Linear output() { return output; }

    /** Loads and validates all decoder tensors from a checkpoint. */
    public static DecoderWeights load(DecoderConfig c, WeightStore store, TensorNames n) {
        WeightLoader ld = new WeightLoader(store);
        Tensor emb = ld.tensor(n.embed(), c.vocab(), c.hidden());
        Layer[] layers = new Layer[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            layers[l] = new Layer(
                    ld.vector(n.attnNorm(l), c.hidden()),
                    ld.linear(n.q(l), c.qDim(), c.hidden()),
                    ld.linear(n.k(l), c.kvDim(), c.hidden()),
                    ld.linear(n.v(l), c.kvDim(), c.hidden()),
                    ld.linear(n.o(l), c.hidden(), c.qDim()),
                    c.qkvBias() ? ld.vector(n.qBias(l), c.qDim()) : null,
                    c.qkvBias() ? ld.vector(n.kBias(l), c.kvDim()) : null,
                    c.qkvBias() ? ld.vector(n.vBias(l), c.kvDim()) : null,
                    ld.vector(n.ffnNorm(l), c.hidden()),
                    ld.linear(n.gate(l), c.ffn(), c.hidden()),
                    ld.linear(n.up(l), c.ffn(), c.hidden()),
                    ld.linear(n.down(l), c.hidden(), c.ffn()));
        }
        float[] norm = ld.vector(n.outputNorm(), c.hidden());
        Linear out = c.tiedOutput() ? Linear.of(emb) : ld.linear(n.output(), c.vocab(), c.hidden());
        return new DecoderWeights(emb, layers, norm, out);
    }

}
