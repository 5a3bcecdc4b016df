package dev.jlava.kernel;

import dev.jlava.tensor.Tensor;

/**
 * A linear layer's weight, ready to multiply: {@code y[m][out] = x[m][in] . W^T}, with W stored
 * {@code [out][in]} (PyTorch layout, GGUF ne = [in, out]) in any supported dtype. One token
 * (m == 1) is a GEMV bound by weight bandwidth; many tokens are a GEMM bound by FMA throughput.
 * Bias is added by the caller (it is a separate, always-F32 vector).
 */
public interface Linear {
    int inFeatures();

    int outFeatures();

    /** x holds m rows of inFeatures floats, y receives m rows of outFeatures floats. */
    void forward(float[] x, int m, float[] y);

    /** The best implementation for the tensor's dtype. */
    static Linear of(Tensor weight) {
        return Linears.of(weight);
    }
}
