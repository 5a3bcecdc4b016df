package dev.jlava.kernel;

import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * The packed, register-blocked GEMM behind {@link Gemm} and the m &gt; 1 path of every
 * {@link Linear}: {@code C[m][n] (+)= alpha * A[m][k] . B^T}, where A is a float matrix read in
 * place (row-major, {@code lda}) and B is delivered by a {@link PanelSource} that packs
 * {@code NR} columns of a K-block at a time (converting from the weight's storage format).
 *
 * <p>GotoBLAS loop order: for each NC-wide column block and KC-deep K-block, pack B once
 * (k-major panels of NR columns, zero-padded), then for each row block of A ({@link #mBlock}) and each panel,
 * run the MR x NR micro-kernel over MR-row strips of A. A B panel (kc * NR floats, 56 KiB at
 * k = 896 and 256 bits) streams from L2 next to the A strip; the classic KC = 256, whose panel
 * stays in L1, lost more to C traffic than it won (see {@link #KC}). A needs no packing because the
 * micro-kernel broadcasts its elements one at a time (MR row pointers, each read sequentially);
 * only a ragged last strip of fewer than MR rows is copied to a zero-padded buffer.
 *
 * <p>Micro-kernel: MR = 6 rows x NR = 2 vectors, 12 accumulators + 2 B vectors + 1 broadcast =
 * 15 of AVX2's 16 registers (AVX-512 has 32; the same tile keeps 12 independent FMA chains,
 * enough to cover a 4-cycle latency on 2 FMA ports). It is one method: a vector passed to a
 * helper that C2 declines to inline gets boxed, which costs 25x (a first {@link #micro12} with
 * its epilogue in a helper allocated 760 MB per call).
 *
 * <p>With AVX-512's 32 registers, {@link #block} runs pairs of strips as one 12-row strip
 * ({@link #micro12}): each B vector loaded from the panel, which streams from L2 at the deep
 * K-blocks, then feeds twelve FMAs instead of six. Packed-panel GEMMs at the vision tower's
 * shapes went from 81-86 % to 85-91 % of the FMA peak on one core (docs/performance.md, session
 * 19). Each element is the same FMA chain either way, so the results are bit-identical.
 *
 * <p>Threads split the columns (NR-aligned) when there are enough of them, otherwise the rows.
 */
final class GemmKernel {
    private GemmKernel() {}

    static final int MR = 6;
    /** Whether {@link #block} runs twelve-row strips ({@link #micro12}): only with 32 vector registers. */
    static final boolean WIDE_AVAILABLE = Simd.L >= 16;
    /**
     * Twelve-row strips on (with 32 registers) unless {@code -Djlava.gemm.wide=false}. Not final so
     * that a probe can alternate the two in one process; read once per panel.
     */
    static boolean wide = WIDE_AVAILABLE && Boolean.parseBoolean(System.getProperty("jlava.gemm.wide", "true"));
    static final int NR = 2 * L;
    /**
     * Deepest K-block; a multiple of 32 so quantized blocks never straddle two K-blocks. A call
     * splits k into equal blocks no deeper than this ({@link #kBlock}): every K-block after the
     * first re-reads the C tile in the micro-kernel's epilogue, and those reads miss (C is
     * megabytes, its rows a stride apart that no prefetcher follows) after the k-loop, where
     * nothing overlaps them. One K-block for k &lt;= 1152 (the decoder's and the vision tower's
     * hidden sizes) measured 7-12 % faster than KC = 256 (docs/performance.md).
     */
    static final int KC = Math.max(32, Integer.getInteger("jlava.gemm.kc", 1152) / 32 * 32);
    /** Most rows of A per row block; fewer when K-blocks are deep ({@link #mBlock}). */
    static final int MC = Math.max(2 * MR, Integer.getInteger("jlava.gemm.mc", 96) / (2 * MR) * (2 * MR));
    /**
     * Columns per column block: the packed B block is KC x NC floats (2.3 MB at k = 1152, in
     * L3). 512 measured as fast as or faster than 1024 and 256 at the decoder's and the vision
     * tower's shapes (docs/performance.md).
     */
    static final int NC = Math.max(NR, Integer.getInteger("jlava.gemm.nc", 512) / NR * NR);
    /** Depth of the chunks a {@link PanelSource} converts before transposing (s.row holds NR of them); a multiple of 32, whole quantized blocks. */
    static final int PACK_CHUNK = 64;
    /** Bytes of A one row block may span per K-block: about 40 % of Zen 3's 512 KiB L2, leaving room for B panels and C. */
    static int aBlockBytes = Integer.getInteger("jlava.gemm.aBlockKiB", 192) << 10;

    /** The K-block depth for a product over k: k split into ceil(k / KC) near-equal blocks, rounded up to 32. */
    static int kBlock(int k) {
        int blocks = Math.max(1, (k + KC - 1) / KC);
        return ((k + blocks - 1) / blocks + 31) / 32 * 32;
    }

    /** Rows per row block for K-blocks of depth kc: the A block stays within {@link #aBlockBytes} (42 rows at kc = 1152, 54 at 896). */
    static int mBlock(int kc) {
        int strip = wide ? 2 * MR : MR;
        return Math.max(strip, Math.min(MC, aBlockBytes / (4 * kc) / strip * strip));
    }

    /** Supplies B^T: packs columns [j0, j0+nr) x k [p0, p0+kc) as panel[k*NR + col], zero-padding cols nr..NR. */
    interface PanelSource {
        void pack(int j0, int nr, int p0, int kc, float[] panel, int off, Scratch s);
    }

    /** Per-thread buffers. */
    static final class Scratch {
        final float[] panels = new float[KC * NC];
        final float[] aTail = new float[MR * KC];
        final float[] tile = new float[2 * MR * NR];
        final float[] row = new float[NR * PACK_CHUNK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * Column pieces per thread, claimed as threads finish (guided, {@link Parallel#forRangeDynamic}).
     * On this shared machine one thread is often slowed by a neighbour for part of a call; with
     * one static half per thread the other then waits at the join. Guided pieces raised the mean
     * two-thread rate 8-14 % at 512x4864x896, 729x4304x1152 and 729x1152x4304, 1-3 % at
     * 512x896x896 (30 calls each, alternated in one JVM; docs/performance.md, session 11).
     */
    static final int COLUMN_PIECES = Integer.getInteger("jlava.gemm.pieces", 4);

    /** C = alpha * A . B^T (+ C when accumulate), parallel over the pool. */
    static void multiply(float[] a, int aOff, int lda, PanelSource b, float[] c, int cOff, int ldc,
                         int m, int n, int k, float alpha, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        int threads = Parallel.threads();
        if (n >= 2 * NR * threads || m < 2 * MR * threads) {
            Parallel.forRangeDynamic(n, NR, COLUMN_PIECES, (j0, j1) -> block(a, aOff, lda, b, c, cOff, ldc, 0, m, j0, j1, k, alpha, accumulate));
        } else {
            Parallel.forRange(m, MR, (i0, i1) -> block(a, aOff, lda, b, c, cOff, ldc, i0, i1, 0, n, k, alpha, accumulate));
        }
    }

    /** One thread's share: rows [i0, i1) x columns [j0, j1). */
    static void block(float[] a, int aOff, int lda, PanelSource b, float[] c, int cOff, int ldc,
                      int i0, int i1, int j0, int j1, int k, float alpha, boolean accumulate) {
        Scratch s = scratch();
        PackedPanels packed = b instanceof PackedPanels pp && pp.covers(j0, j1, k) ? pp : null;
        if (k == 0) {
            if (!accumulate) for (int i = i0; i < i1; i++) java.util.Arrays.fill(c, cOff + i * ldc + j0, cOff + i * ldc + j1, 0f);
            return;
        }
        int kb = kBlock(k), mb = mBlock(kb);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                float[] panels = s.panels;
                int base = 0; // where this K-block's panel jr = 0 starts
                if (packed != null) {
                    panels = packed.data();
                    base = packed.offset(jc, pc);
                } else {
                    for (int jr = 0; jr < nc; jr += NR) b.pack(jc + jr, Math.min(NR, nc - jr), pc, kc, panels, jr * kc, s);
                }
                boolean add = accumulate || pc > 0;
                for (int ic = i0; ic < i1; ic += mb) {
                    int mc = Math.min(mb, i1 - ic);
                    int full = mc / MR * MR;
                    if (full < mc) {
                        // Ragged last strip: copy its rows of this K-block to a zero-padded MR x kc buffer.
                        float[] t = s.aTail;
                        java.util.Arrays.fill(t, 0, MR * kc, 0f);
                        for (int r = 0; r < mc - full; r++) System.arraycopy(a, aOff + (ic + full + r) * lda + pc, t, r * kc, kc);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        int cAt = cOff + jc + jr;
                        int ir = 0;
                        if (wide) {
                            for (; ir + 2 * MR <= full; ir += 2 * MR) {
                                micro12(a, aOff + (ic + ir) * lda + pc, lda, panels, base + jr * kc, kc,
                                        c, cAt + (ic + ir) * ldc, ldc, cols, alpha, add, s.tile);
                            }
                        }
                        for (; ir < full; ir += MR) {
                            micro(a, aOff + (ic + ir) * lda + pc, lda, panels, base + jr * kc, kc,
                                    c, cAt + (ic + ir) * ldc, ldc, MR, cols, alpha, add, s.tile);
                        }
                        if (full < mc) {
                            micro(s.aTail, 0, kc, panels, base + jr * kc, kc,
                                    c, cAt + (ic + full) * ldc, ldc, mc - full, cols, alpha, add, s.tile);
                        }
                    }
                }
            }
        }
    }

    /**
     * C[0..rows)[0..cols) (+)= alpha * A[0..MR)[0..kc) . panel, with A rows at a + aOff + i*lda
     * (MR rows must be readable) and the panel k-major, NR floats per k.
     */
    static void micro(float[] a, int aOff, int lda, float[] bp, int bOff, int kc,
                      float[] c, int cOff, int ldc, int rows, int cols, float alpha, boolean add, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int kk = 0, bk = bOff; kk < kc; kk++, bk += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bk);
            FloatVector b1 = FloatVector.fromArray(F, bp, bk + L);
            FloatVector v = FloatVector.broadcast(F, a[a0 + kk]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(F, a[a4 + kk]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(F, a[a5 + kk]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            int o = cOff;
            if (add) {
                FloatVector va = FloatVector.broadcast(F, alpha);
                c00.fma(va, FloatVector.fromArray(F, c, o)).intoArray(c, o);
                c01.fma(va, FloatVector.fromArray(F, c, o + L)).intoArray(c, o + L);
                o += ldc;
                c10.fma(va, FloatVector.fromArray(F, c, o)).intoArray(c, o);
                c11.fma(va, FloatVector.fromArray(F, c, o + L)).intoArray(c, o + L);
                o += ldc;
                c20.fma(va, FloatVector.fromArray(F, c, o)).intoArray(c, o);
                c21.fma(va, FloatVector.fromArray(F, c, o + L)).intoArray(c, o + L);
                o += ldc;
                c30.fma(va, FloatVector.fromArray(F, c, o)).intoArray(c, o);
                c31.fma(va, FloatVector.fromArray(F, c, o + L)).intoArray(c, o + L);
                o += ldc;
                c40.fma(va, FloatVector.fromArray(F, c, o)).intoArray(c, o);
                c41.fma(va, FloatVector.fromArray(F, c, o + L)).intoArray(c, o + L);
                o += ldc;
                c50.fma(va, FloatVector.fromArray(F, c, o)).intoArray(c, o);
                c51.fma(va, FloatVector.fromArray(F, c, o + L)).intoArray(c, o + L);
            } else {
                c00.mul(alpha).intoArray(c, o);
                c01.mul(alpha).intoArray(c, o + L);
                o += ldc;
                c10.mul(alpha).intoArray(c, o);
                c11.mul(alpha).intoArray(c, o + L);
                o += ldc;
                c20.mul(alpha).intoArray(c, o);
                c21.mul(alpha).intoArray(c, o + L);
                o += ldc;
                c30.mul(alpha).intoArray(c, o);
                c31.mul(alpha).intoArray(c, o + L);
                o += ldc;
                c40.mul(alpha).intoArray(c, o);
                c41.mul(alpha).intoArray(c, o + L);
                o += ldc;
                c50.mul(alpha).intoArray(c, o);
                c51.mul(alpha).intoArray(c, o + L);
            }
            return;
        }
        // Ragged tile: spill to the scratch tile, then copy the valid part.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        writeTile(tile, rows, c, cOff, ldc, cols, alpha, add);
    }

    /**
     * Twelve rows at once: {@link #micro}'s tile twice over, 24 accumulators + 2 B vectors + 1
     * broadcast = 27 of AVX-512's 32 registers. Each B vector loaded from the panel (which streams
     * from L2 at the deep K-blocks) feeds twelve FMAs instead of six. Rows must be 12; cols may be
     * ragged. The accumulators always go through {@code tile} (12 x NR floats, in L1) to
     * {@link #writeTile}: with the epilogue inline the method was too large for C1's register
     * allocator ("out of virtual registers in linear scan"), and a method C1 cannot compile can be
     * left in C1's unprofiled code, where the Vector API runs as Java objects.
     */
    static void micro12(float[] a, int aOff, int lda, float[] bp, int bOff, int kc,
                        float[] c, int cOff, int ldc, int cols, float alpha, boolean add, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00a = z, c00b = z, c01a = z, c01b = z, c02a = z, c02b = z;
        FloatVector c03a = z, c03b = z, c04a = z, c04b = z, c05a = z, c05b = z;
        FloatVector c06a = z, c06b = z, c07a = z, c07b = z, c08a = z, c08b = z;
        FloatVector c09a = z, c09b = z, c10a = z, c10b = z, c11a = z, c11b = z;
        int a0 = aOff + 0 * lda, a1 = aOff + 1 * lda, a2 = aOff + 2 * lda, a3 = aOff + 3 * lda, a4 = aOff + 4 * lda, a5 = aOff + 5 * lda, a6 = aOff + 6 * lda, a7 = aOff + 7 * lda, a8 = aOff + 8 * lda, a9 = aOff + 9 * lda, a10 = aOff + 10 * lda, a11 = aOff + 11 * lda;
        for (int kk = 0, bk = bOff; kk < kc; kk++, bk += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bk);
            FloatVector b1 = FloatVector.fromArray(F, bp, bk + L);
            FloatVector v = FloatVector.broadcast(F, a[a0 + kk]);
            c00a = v.fma(b0, c00a);
            c00b = v.fma(b1, c00b);
            v = FloatVector.broadcast(F, a[a1 + kk]);
            c01a = v.fma(b0, c01a);
            c01b = v.fma(b1, c01b);
            v = FloatVector.broadcast(F, a[a2 + kk]);
            c02a = v.fma(b0, c02a);
            c02b = v.fma(b1, c02b);
            v = FloatVector.broadcast(F, a[a3 + kk]);
            c03a = v.fma(b0, c03a);
            c03b = v.fma(b1, c03b);
            v = FloatVector.broadcast(F, a[a4 + kk]);
            c04a = v.fma(b0, c04a);
            c04b = v.fma(b1, c04b);
            v = FloatVector.broadcast(F, a[a5 + kk]);
            c05a = v.fma(b0, c05a);
            c05b = v.fma(b1, c05b);
            v = FloatVector.broadcast(F, a[a6 + kk]);
            c06a = v.fma(b0, c06a);
            c06b = v.fma(b1, c06b);
            v = FloatVector.broadcast(F, a[a7 + kk]);
            c07a = v.fma(b0, c07a);
            c07b = v.fma(b1, c07b);
            v = FloatVector.broadcast(F, a[a8 + kk]);
            c08a = v.fma(b0, c08a);
            c08b = v.fma(b1, c08b);
            v = FloatVector.broadcast(F, a[a9 + kk]);
            c09a = v.fma(b0, c09a);
            c09b = v.fma(b1, c09b);
            v = FloatVector.broadcast(F, a[a10 + kk]);
            c10a = v.fma(b0, c10a);
            c10b = v.fma(b1, c10b);
            v = FloatVector.broadcast(F, a[a11 + kk]);
            c11a = v.fma(b0, c11a);
            c11b = v.fma(b1, c11b);
        }
        c00a.intoArray(tile, 0 * NR);
        c00b.intoArray(tile, 0 * NR + L);
        c01a.intoArray(tile, 1 * NR);
        c01b.intoArray(tile, 1 * NR + L);
        c02a.intoArray(tile, 2 * NR);
        c02b.intoArray(tile, 2 * NR + L);
        c03a.intoArray(tile, 3 * NR);
        c03b.intoArray(tile, 3 * NR + L);
        c04a.intoArray(tile, 4 * NR);
        c04b.intoArray(tile, 4 * NR + L);
        c05a.intoArray(tile, 5 * NR);
        c05b.intoArray(tile, 5 * NR + L);
        c06a.intoArray(tile, 6 * NR);
        c06b.intoArray(tile, 6 * NR + L);
        c07a.intoArray(tile, 7 * NR);
        c07b.intoArray(tile, 7 * NR + L);
        c08a.intoArray(tile, 8 * NR);
        c08b.intoArray(tile, 8 * NR + L);
        c09a.intoArray(tile, 9 * NR);
        c09b.intoArray(tile, 9 * NR + L);
        c10a.intoArray(tile, 10 * NR);
        c10b.intoArray(tile, 10 * NR + L);
        c11a.intoArray(tile, 11 * NR);
        c11b.intoArray(tile, 11 * NR + L);
        writeTile(tile, 12, c, cOff, ldc, cols, alpha, add);
    }

    /** C[0..rows)[0..cols) (+)= alpha * tile, the tile NR floats per row. */
    static void writeTile(float[] tile, int rows, float[] c, int cOff, int ldc, int cols, float alpha, boolean add) {
        if (cols == NR) {
            FloatVector va = FloatVector.broadcast(F, alpha);
            for (int i = 0, o = cOff; i < rows; i++, o += ldc) {
                FloatVector lo = FloatVector.fromArray(F, tile, i * NR), hi = FloatVector.fromArray(F, tile, i * NR + L);
                if (add) {
                    lo.fma(va, FloatVector.fromArray(F, c, o)).intoArray(c, o);
                    hi.fma(va, FloatVector.fromArray(F, c, o + L)).intoArray(c, o + L);
                } else {
                    lo.mul(va).intoArray(c, o);
                    hi.mul(va).intoArray(c, o + L);
                }
            }
            return;
        }
        for (int i = 0; i < rows; i++) {
            int o = cOff + i * ldc;
            for (int j = 0; j < cols; j++) c[o + j] = add ? Math.fma(tile[i * NR + j], alpha, c[o + j]) : tile[i * NR + j] * alpha;
        }
    }
}
