package dev.jlava.kernel;

import dev.jlava.tensor.Tensor;

/**
 * A linear layer's weight, ready to multiply: {@code y[m][out] = x[m][in] . W^T}, with W stored
 * {@code [out][in]} (PyTorch layout, GGUF ne = [in, out]) in any supported dtype. One token
 * (m == 1) is a GEMV bound by weight bandwidth; many tokens are a GEMM bound by FMA throughput.
 * Bias is added by the caller (it is a separate, always-F32 vector).
 *
 * <p>Q8_0 and Q4_0 weights quantize each input row to Q8_0 first, as llama.cpp does
 * ({@link Q8Activations}); F32, F16 and BF16 weights multiply the float32 input directly.
 */
public interface Linear {
    int inFeatures();

    int outFeatures();

    /** x holds m rows of inFeatures floats, y receives m rows of outFeatures floats. */
    void forward(float[] x, int m, float[] y);

    /** The fast implementation for the tensor's dtype (F32, F16, BF16, Q8_0, Q4_0). */
    static Linear of(Tensor weight) {
        return Linears.of(weight);
    }

    /**
     * The same product for a weight that multiplies many rows per call (the vision tower, the
     * projector): F32, F16 and BF16 weights are packed into GEMM panels at load, which saves the
     * per-call packing (about 1/m of the multiply) for 4 bytes per weight of heap.
     */
    static Linear forGemm(Tensor weight) {
        return Linears.forGemm(weight);
    }

    /** A float32 weight {@code w[out][in]} held on the heap (in-memory and random test models). */
    static Linear ofF32(float[] w, int out, int in) {
        return Linears.of(Tensor.ofFloats("w", w, out, in));
    }

    /** The plain scalar implementation (double accumulation, llama.cpp activation quantization): the test oracle. */
    static Linear reference(Tensor weight) {
        return new ReferenceLinear(weight);
    }
}
