package dev.jlava.io;

import dev.jlava.kernel.Linear;
import dev.jlava.tensor.Tensor;
import java.util.Arrays;

/**
 * Fetches a checkpoint's tensors by name with the shape the config implies: a missing tensor or a
 * shape mismatch is a {@link ModelFileException} naming the file, the tensor and both shapes.
 */
public record WeightLoader(WeightStore store) {
    public Tensor tensor(String name, long... shape) {
        if (!store.has(name)) throw new ModelFileException(store.fileOf(name), "missing tensor '" + name + "'");
        Tensor t = store.get(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFileException(store.fileOf(name), "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " but the config needs " + Arrays.toString(shape));
        }
        return t;
    }

    public Linear linear(String name, long out, long in) {
        return Linear.of(tensor(name, out, in));
    }

    /** A weight that multiplies many rows per call (vision tower, projector): packed at load, see {@link Linear#forGemm}. */
    public Linear gemmLinear(String name, long out, long in) {
        return Linear.forGemm(tensor(name, out, in));
    }

    public float[] vector(String name, long len) {
        return tensor(name, len).toFloatArray();
    }

    /** A weight stored with more dimensions (a conv kernel) seen as the [out][in] matrix of its GEMM (packed at load, {@link #gemmLinear}). */
    public Linear flattened(String name, long... shape) {
        Tensor t = tensor(name, shape);
        long in = t.numel() / shape[0];
        return Linear.forGemm(new Tensor(t.name(), t.dtype(), new long[] {shape[0], in}, t.data()));
    }
}
