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

    /** {@code -Djlava.gemm.prepack=false} packs every weight per call (to measure what packing at load saves). */
    static final boolean PREPACK = Boolean.parseBoolean(System.getProperty("jlava.gemm.prepack", "true"));

    /**
     * F32, F16 and BF16 weights packed at load into float32 GEMM panels when the heap budget
     * ({@link HeapBudget}) holds them; otherwise (and for other dtypes) {@link #of}. Packing is 4 bytes per
     * weight on the heap, where the GEMM reads it fastest ({@link PackedPanels}).
     */
    static Linear forGemm(Tensor w) {
        if (w.rank() != 2 || !PREPACK) return of(w);
        boolean floats = switch (w.dtype()) {
            case F32, F16, BF16 -> true;
            default -> false;
        };
        if (!floats) return of(w);
        long bytes = 4 * PackedPanels.floats(Math.toIntExact(w.dim(0)), Math.toIntExact(w.dim(1)));
        if (bytes >= 4L * (Integer.MAX_VALUE - 16) || !HeapBudget.reserve(bytes)) return of(w);
        WeightLinear l;
        try {
            l = new WeightLinear(w, true);
        } catch (RuntimeException | OutOfMemoryError e) {
            HeapBudget.release(bytes);
            throw e;
        }
        HeapBudget.hold(l, bytes);
        return l;
    }
}
