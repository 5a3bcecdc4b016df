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
 * run once per frame batch. Also for activations multiplied block by block: a prompt's keys
 * ({@link Attention}). The decoder's weights are not packed: decode reads them row by row.
 * The panels are float32 on the Java heap (a B panel read from a native segment measured as slow
 * as packing per call), 4 bytes per weight.
 */
final class PackedPanels implements GemmKernel.PanelSource {
    private final float[] data;
    private final int n, k, kb, paddedColumns;
    /** Packed column that this view's column 0 is ({@link #from}). */
    private final int first;

    private PackedPanels(float[] data, int n, int k, int first) {
        this.data = data;
        this.n = n;
        this.k = k;
        this.kb = GemmKernel.kBlock(k);
        this.paddedColumns = (n + NR - 1) / NR * NR;
        this.first = first;
    }

    /** Floats that packing an n x k weight takes. */
    static long floats(int n, int k) {
        return (long) (n + NR - 1) / NR * NR * k;
    }

    /** Packs columns [0, n) x k of {@code source} (the weight's per-call packer), on the thread pool. */
    static PackedPanels of(GemmKernel.PanelSource source, int n, int k) {
        return of(source, n, k, null);
    }

    /** The same, into {@code reuse} when it is large enough (a per-call buffer), else into a new array. */
    static PackedPanels of(GemmKernel.PanelSource source, int n, int k, float[] reuse) {
        long size = floats(n, k);
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("weight " + n + "x" + k + " is too large to pack into one array");
        float[] data = reuse != null && reuse.length >= size ? reuse : new float[(int) size];
        PackedPanels p = new PackedPanels(data, n, k, 0);
        Parallel.forRange(p.paddedColumns, NR, (j0, j1) -> {
            GemmKernel.Scratch s = GemmKernel.scratch();
            for (int pc = 0; pc < k; pc += p.kb) {
                int kc = Math.min(p.kb, k - pc);
                for (int j = j0; j < j1; j += NR) source.pack(j, Math.min(NR, n - j), pc, kc, data, p.offset(j, pc), s);
            }
        });
        return p;
    }

    /** The packed panels; see {@link #offset}. Also the buffer to hand a later packing for reuse. */
    float[] data() {
        return data;
    }

    /**
     * The same panels seen from packed column {@code col} on: a product's column j reads packed
     * column col + j (prompt attention multiplies one step of keys at a time by keys packed once).
     */
    PackedPanels from(int col) {
        if (col < 0 || first + col > n) throw new IllegalArgumentException("column " + col + " is outside the " + (n - first) + " packed columns");
        return new PackedPanels(data, n, k, first + col);
    }

    /** Where the panel of this view's columns [j, j+NR) starts in the K-block at pc ({@code first + j} a multiple of NR). */
    int offset(int j, int pc) {
        return pc * paddedColumns + (first + j) * Math.min(kb, k - pc);
    }

    /** True when columns [j0, j1) of a product over depth k can be read in place: packed, panel-aligned, same K-blocks. */
    boolean covers(int j0, int j1, int k) {
        return k == this.k && (first + j0) % NR == 0 && first + j1 <= n;
    }

    /**
     * Copies columns [j0, j0+nr) x depth [p0, p0+kc) out as a panel, for a product the GEMM cannot
     * read in place (columns not panel-aligned, as with attention steps of a width that is not a
     * multiple of NR): a whole packed panel at once, any other element by element.
     */
    @Override
    public void pack(int j0, int nr, int p0, int kc, float[] panel, int off, GemmKernel.Scratch s) {
        if (j0 < 0 || nr < 0 || first + j0 + nr > n || p0 < 0 || p0 + kc > k) {
            throw new IllegalArgumentException("panel at column " + (first + j0) + "+" + nr + ", depth " + p0 + "+" + kc + " is outside the packed " + n + " x " + k);
        }
        if (nr == NR && covers(j0, j0 + nr, k) && p0 % kb == 0 && kc == Math.min(kb, k - p0)) {
            System.arraycopy(data, offset(j0, p0), panel, off, kc * NR);
            return;
        }
        for (int kk = 0; kk < kc; kk++) {
            int d = p0 + kk, block = d / kb * kb, depth = Math.min(kb, k - block);
            int rowBase = block * paddedColumns + (d - block) * NR;
            for (int r = 0; r < NR; r++) {
                int c = first + j0 + r;
                panel[off + kk * NR + r] = r < nr ? data[rowBase + c / NR * NR * depth + c % NR] : 0f;
            }
        }
    }
}
