package dev.jlava.kernel;

import static dev.jlava.kernel.GemmKernel.NR;

/**
 * A weight packed once, at load, into the GEMM's B panels: for each K-block (depth
 * {@link GemmKernel#kBlock}), the panels of all columns side by side, each k-major with NR floats
 * per k and zero-padded past the last column. {@link GemmKernel#block} reads a column block's
 * panels here in place, exactly as it would read them from its per-call scratch, so the products
 * are bit-identical to packing per call; only the packing's time (about 1/m of the multiply, 10 %
 * at 720 x 4288 x 1152 on Zen 5 at 512 bits) is gone.
 *
 * <p>For weights that only ever multiply many rows at once: the vision tower's and the projector's,
 * run once per frame batch. The decoder's weights are not packed: decode reads them row by row.
 * The panels are float32 on the Java heap (a B panel read from a native segment measured as slow
 * as packing per call), 4 bytes per weight.
 */
final class PackedPanels implements GemmKernel.PanelSource {
    private final float[] data;
    private final int n, k, kb, paddedColumns;

    private PackedPanels(float[] data, int n, int k) {
        this.data = data;
        this.n = n;
        this.k = k;
        this.kb = GemmKernel.kBlock(k);
        this.paddedColumns = (n + NR - 1) / NR * NR;
    }

    /** Floats that packing an n x k weight takes. */
    static long floats(int n, int k) {
        return (long) (n + NR - 1) / NR * NR * k;
    }

    /** Packs columns [0, n) x k of {@code source} (the weight's per-call packer), on the thread pool. */
    static PackedPanels of(GemmKernel.PanelSource source, int n, int k) {
        long size = floats(n, k);
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("weight " + n + "x" + k + " is too large to pack into one array");
        float[] data = new float[(int) size];
        PackedPanels p = new PackedPanels(data, n, k);
        Parallel.forRange(p.paddedColumns, NR, (j0, j1) -> {
            GemmKernel.Scratch s = GemmKernel.scratch();
            for (int pc = 0; pc < k; pc += p.kb) {
                int kc = Math.min(p.kb, k - pc);
                for (int j = j0; j < j1; j += NR) source.pack(j, Math.min(NR, n - j), pc, kc, data, p.offset(j, pc), s);
            }
        });
        return p;
    }

    /** The packed panels; see {@link #offset}. */
    float[] data() {
        return data;
    }

    /** Where the panel of columns [j, j+NR) (j a multiple of NR) starts in the K-block at pc. */
    int offset(int j, int pc) {
        return pc * paddedColumns + j * Math.min(kb, k - pc);
    }

    /** True when columns [j0, j1) of a product over depth k can be read in place: packed, panel-aligned, same K-blocks. */
    boolean covers(int j0, int j1, int k) {
        return k == this.k && j0 % NR == 0 && j1 <= n;
    }

    /** Copies a packed panel out (for callers that pack per call; the GEMM reads {@link #data} in place). */
    @Override
    public void pack(int j0, int nr, int p0, int kc, float[] panel, int off, GemmKernel.Scratch s) {
        if (j0 % NR != 0 || (p0 % kb) != 0 || kc != Math.min(kb, k - p0)) {
            throw new IllegalArgumentException("panel at column " + j0 + ", depth " + p0 + "+" + kc + " is not one of the packed K-blocks of " + kb);
        }
        System.arraycopy(data, offset(j0, p0), panel, off, kc * NR);
    }
}
