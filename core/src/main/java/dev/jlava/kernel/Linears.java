package dev.jlava.kernel;

import dev.jlava.tensor.Tensor;
import java.util.Arrays;

/** Chooses the Linear implementation per weight dtype. */
final class Linears {
    private Linears() {}

    static Linear of(Tensor w) {
        if (w.rank() != 2) throw new IllegalArgumentException("linear weight " + w.name() + " must be 2-D, is " + Arrays.toString(w.shape()));
        return switch (w.dtype()) {
            case F32, F16, BF16, Q8_0, Q4_0 -> new WeightLinear(w);
            default -> new ReferenceLinear(w);
        };
    }
}
