package dev.jlava.kernel;

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

    /**
     * {@code ys[i] = x . parts[i]^T} for m input rows; ys[i] needs m * parts[i].outFeatures() floats.
     * Several rows (a prefill) are matrix-matrix work and go to each layer's own forward.
     */
    public static void forward(Linear[] parts, float[] x, int m, float[][] ys) {
        if (parts.length != ys.length) throw new IllegalArgumentException(parts.length + " layers but " + ys.length + " outputs");
        WeightLinear[] ws = new WeightLinear[parts.length];
        boolean fast = true, quantized = false;
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            if (x.length < (long) m * parts[i].inFeatures()) {
                throw new IllegalArgumentException("layer " + i + " takes " + parts[i].inFeatures() + " inputs per row, x has " + x.length + " floats for " + m + " rows");
            }
            if (ys[i].length < (long) m * parts[i].outFeatures()) {
                throw new IllegalArgumentException("output " + i + " has " + ys[i].length + " floats, needs " + (long) m * parts[i].outFeatures());
            }
            if (parts[i] instanceof WeightLinear w && w.inFeatures() == parts[0].inFeatures()) {
                ws[i] = w;
                quantized |= w.quantized();
            } else {
                fast = false;
            }
            total += parts[i].outFeatures();
        }
        if (!fast || m != 1) {
            for (int i = 0; i < parts.length; i++) parts[i].forward(x, m, ys[i]);
            return;
        }
        int in = parts[0].inFeatures();
        Q8Activations.Rows q = quantized ? WeightLinear.quantizeInput(x, 1, in) : null;
        int[] start = new int[parts.length + 1];
        for (int i = 0; i < parts.length; i++) start[i + 1] = start[i] + parts[i].outFeatures();
        Parallel.forRangeDynamic(total, 4, WeightLinear.GEMV_PIECES, (r0, r1) -> {
            for (int i = 0; i < ws.length; i++) {
                int a = Math.max(r0, start[i]), b = Math.min(r1, start[i + 1]);
                if (a < b) ws[i].rows1(x, q, ys[i], a - start[i], b - start[i]);
            }
        });
    }
}
