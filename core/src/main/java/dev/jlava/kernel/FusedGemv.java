package dev.jlava.kernel;

import dev.jlava.tensor.DType;

/**
 * Several linear layers applied to the same single input row in one parallel pass: decode's
 * q/k/v projections, or gate and up. Their output rows are laid end to end and handed out in
 * pieces over the pool ({@link Parallel#forRangeDynamic}), so the pass has one join instead of one
 * per matrix (the k and v projections of a small model are too short to split well alone), and a
 * quantized input is quantized once for all of them. Each output row is computed exactly as the
 * layer's own {@link Linear#forward} computes it with m = 1.
 */
public final class FusedGemv {
    private FusedGemv() {}

    // The caller thread's quantized input (workers only read it during the pass).
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);

    /** {@code ys[i] = parts[i] . x} for one input row x; ys[i] needs parts[i].outFeatures() floats. */
    public static void forward(Linear[] parts, float[] x, float[][] ys) {
        if (parts.length != ys.length) throw new IllegalArgumentException(parts.length + " layers but " + ys.length + " outputs");
        WeightLinear[] ws = new WeightLinear[parts.length];
        boolean fast = true, quantized = false, q4 = false;
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            if (x.length < parts[i].inFeatures()) {
                throw new IllegalArgumentException("layer " + i + " takes " + parts[i].inFeatures() + " inputs, x has " + x.length);
            }
            if (ys[i].length < parts[i].outFeatures()) throw new IllegalArgumentException("output " + i + " has " + ys[i].length + " floats, needs " + parts[i].outFeatures());
            if (parts[i] instanceof WeightLinear w && w.inFeatures() == parts[0].inFeatures()) {
                ws[i] = w;
                quantized |= w.quantizedInput();
                q4 |= w.dtype() == DType.Q4_0;
            } else {
                fast = false;
            }
            total += parts[i].outFeatures();
        }
        if (!fast) {
            for (int i = 0; i < parts.length; i++) parts[i].forward(x, 1, ys[i]);
            return;
        }
        int in = parts[0].inFeatures();
        float[] qx = null, dx = null, sx = null;
        if (quantized) {
            float[][] s = SCRATCH.get();
            if (s[0].length < in) {
                s[0] = new float[in];
                s[1] = new float[in / 32];
                s[2] = new float[in / 32];
            }
            qx = s[0];
            dx = s[1];
            sx = s[2];
            Q8Activations.quantize(x, 0, in, qx, 0, dx, 0);
            if (q4) Gemv.blockSums8(qx, 0, in, sx, 0);
        }
        int[] start = new int[parts.length + 1];
        for (int i = 0; i < parts.length; i++) start[i + 1] = start[i] + parts[i].outFeatures();
        float[] fqx = qx, fdx = dx, fsx = sx;
        Parallel.forRangeDynamic(total, 4, WeightLinear.GEMV_PIECES, (r0, r1) -> {
            for (int i = 0; i < ws.length; i++) {
                int a = Math.max(r0, start[i]), b = Math.min(r1, start[i + 1]);
                if (a < b) ws[i].rows1(x, fqx, fdx, fsx, ys[i], a - start[i], b - start[i]);
            }
        });
    }
}
