package dev.jlava.kernel;

import static dev.jlava.kernel.GemmKernel.NR;
import static dev.jlava.kernel.GemmKernel.PACK_CHUNK;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The fast {@link Linear} for F32, F16, BF16, Q8_0 and Q4_0 weights.
 *
 * <p>Few rows (decode, m &lt; {@link #GEMM_MIN_ROWS}): GEMVs, output rows split over threads ({@link Gemv}).
 * Many rows (prefill, vision tower, projector): the packed GEMM ({@link GemmKernel}), whose B
 * panels are converted from the stored format one KC x NR panel at a time, per call, or, for
 * weights that only multiply many rows ({@link Linear#forGemm}), once at load ({@link PackedPanels}).
 *
 * <p>F32, F16 and BF16 weights are read in place from the file mapping or from a copy
 * ({@link WeightResidency}): F32 copies go into a heap array while the heap budget holds them. Q8_0/Q4_0
 * weights are re-laid at load as interleaved row pairs with their scales apart ({@link RowPairs}),
 * which the GEMV reads as one stream and the GEMM's panel packing reads block by block.
 *
 * <p>Why the decoder's weights are not pre-packed to float32 panels at load: the conversion runs once per
 * (KC-block, panel) and is reused by all m rows, so it costs about 1/m of the multiply (7-8 % at
 * m = 512, measured in docs/performance.md), while a float32 copy would double (F32, F16) to
 * eight-fold (Q4_0) the resident weight memory; an F32 version that packed into heap arrays was
 * tried and made a 512-token prefill slower (docs/performance.md). Q8_0/Q4_0 GEMMs multiply exactly
 * dequantized values ({@code q * d} is exact in float32) on both sides, so they compute the same
 * sum as llama.cpp's per-block integer dot, in a different summation order.
 */
final class WeightLinear implements Linear {
    /**
     * Below this many rows, m GEMVs over L1-resident weight blocks beat packing the weight
     * (measured crossover 8-16 rows for all dtypes on Zen 3, see docs/performance.md).
     */
    static final int GEMM_MIN_ROWS = Integer.getInteger("jlava.gemm.minRows", 12);

    private final DType dtype;
    private final MemorySegment w; // F32, F16, BF16
    /**
     * An F32 weight copied into a heap array ({@link WeightResidency#heapCopy}; w is then a view of
     * it), or null; wf0 is the index of its first float, on a cache line where that could be arranged.
     */
    private final float[] wf;
    private final int wf0;
    private final RowPairs pairs; // Q8_0, Q4_0
    private final int in, out;
    private final GemmKernel.PanelSource panels;

    WeightLinear(Tensor t) {
        this(t, false);
    }

    /**
     * @param packOnce pack the (F32, F16 or BF16) weight into GEMM panels now ({@link PackedPanels}),
     *                 for a weight that multiplies many rows per call; the rare call with few
     *                 rows then reads the weight from the checkpoint's mapping, which is not copied
     */
    WeightLinear(Tensor t, boolean packOnce) {
        this.dtype = t.dtype();
        this.out = Math.toIntExact(t.dim(0));
        this.in = Math.toIntExact(t.dim(1));
        if (quantized() && in % 32 != 0) throw new IllegalArgumentException("weight " + t.name() + ": " + dtype + " rows need a multiple of 32 values, have " + in);
        if (packOnce && quantized()) throw new IllegalArgumentException("weight " + t.name() + ": " + dtype + " weights are not packed at load");
        this.pairs = quantized() ? RowPairs.repack(t.data(), out, in / 32, dtype == DType.Q8_0 ? 32 : 16) : null;
        HeapFloats wh = !packOnce && dtype == DType.F32 ? WeightResidency.current().heapCopy(t.data(), this) : null;
        this.wf = wh == null ? null : wh.array();
        this.wf0 = wh == null ? 0 : wh.offset();
        this.w = quantized() ? null : wh != null ? wh.segment() : packOnce ? t.data() : WeightResidency.current().place(t.data());
        this.panels = packOnce ? PackedPanels.of(this::pack, out, in) : this::pack;
    }

    /** Q8_0/Q4_0: the GEMV takes the input quantized to Q8_0 (see {@link #rows1}). */
    boolean quantized() {
        return dtype == DType.Q8_0 || dtype == DType.Q4_0;
    }

    @Override public int inFeatures() { return in; }

    @Override public int outFeatures() { return out; }

    @Override
    public void forward(float[] x, int m, float[] y) {
        if (x.length < (long) m * in || y.length < (long) m * out) {
            throw new IllegalArgumentException("linear " + out + "x" + in + ": x has " + x.length + " floats, y " + y.length + ", need " + m + " rows");
        }
        if (m < GEMM_MIN_ROWS) gemv(x, m, y);
        else gemm(x, m, y);
    }

    /** Row pieces per thread for GEMV: threads claim them as they go (see Parallel#forRangeDynamic). */
    static final int GEMV_PIECES = Integer.getInteger("jlava.gemv.pieces", 4);

    /**
     * m GEMVs. With m > 1 the rows go in blocks of about 16 KiB of weights, each block dotted with
     * all m inputs while it is in L1, so the weight is streamed from memory once, not m times.
     */
    private void gemv(float[] x, int m, float[] y) {
        int rowBytes = (int) Math.min(Integer.MAX_VALUE, dtype.bytesFor(in));
        int block = m == 1 ? out : Math.max(1, (16 << 10) / rowBytes);
        if (quantized()) {
            boolean q8 = dtype == DType.Q8_0;
            Q8Activations.Rows qin = quantizeInput(x, m, in);
            Parallel.forRangeDynamic(out, 4, GEMV_PIECES, (r0, r1) -> {
                for (int b0 = r0; b0 < r1; b0 += block) {
                    int b1 = Math.min(r1, b0 + block);
                    for (int t = 0; t < m; t++) {
                        if (q8) Gemv.q8_0(pairs, b0, b1, qin, t * in, y, t * out);
                        else Gemv.q4_0(pairs, b0, b1, qin, t * in, y, t * out);
                    }
                }
            });
            return;
        }
        float[][] rows = wf == null || m == 1 ? null : splitRows(x, m, in); // the array kernel reads x from index 0
        Parallel.forRangeDynamic(out, 4, GEMV_PIECES, (r0, r1) -> {
            for (int b0 = r0; b0 < r1; b0 += block) {
                int b1 = Math.min(r1, b0 + block);
                for (int t = 0; t < m; t++) {
                    switch (dtype) {
                        case F32 -> {
                            if (wf != null) Gemv.f32(wf, wf0, in, b0, b1, rows == null ? x : rows[t], y, t * out);
                            else Gemv.f32(w, in, b0, b1, x, t * in, y, t * out);
                        }
                        case F16 -> Gemv.f16(w, in, b0, b1, x, t * in, y, t * out);
                        case BF16 -> Gemv.bf16(w, in, b0, b1, x, t * in, y, t * out);
                        default -> throw new AssertionError(dtype);
                    }
                }
            }
        });
    }

    private static float[][] splitRows(float[] x, int m, int in) {
        float[][] rows = new float[m][];
        for (int t = 0; t < m; t++) rows[t] = java.util.Arrays.copyOfRange(x, t * in, (t + 1) * in);
        return rows;
    }

    /**
     * Output rows [r0, r1) of {@code y = W x} for one input row, as {@link #forward} computes
     * them with m = 1. For Q8_0/Q4_0, q holds x quantized ({@link #quantizeInput}); the other
     * dtypes read x.
     */
    void rows1(float[] x, Q8Activations.Rows q, float[] y, int r0, int r1) {
        switch (dtype) {
            case F32 -> {
                if (wf != null) Gemv.f32(wf, wf0, in, r0, r1, x, y, 0);
                else Gemv.f32(w, in, r0, r1, x, 0, y, 0);
            }
            case F16 -> Gemv.f16(w, in, r0, r1, x, 0, y, 0);
            case BF16 -> Gemv.bf16(w, in, r0, r1, x, 0, y, 0);
            case Q8_0 -> Gemv.q8_0(pairs, r0, r1, q, 0, y, 0);
            case Q4_0 -> Gemv.q4_0(pairs, r0, r1, q, 0, y, 0);
            default -> throw new AssertionError(dtype);
        }
    }

    DType dtype() {
        return dtype;
    }

    private void gemm(float[] x, int m, float[] y) {
        float[] a = x;
        if (quantized()) {
            a = activationScratch(0, m * in);
            float[] d = activationScratch(1, in / 32);
            for (int t = 0; t < m; t++) Q8Activations.quantizeDequantize(x, t * in, in, a, t * in, d);
        }
        GemmKernel.multiply(a, 0, in, panels, y, 0, out, m, out, in, 1f, false);
    }

    // The caller thread's quantized input, reused across calls (workers only read it during the call).
    private static final ThreadLocal<Q8Activations.Rows> GEMV_INPUT = ThreadLocal.withInitial(() -> new Q8Activations.Rows(new short[0], new float[0], new short[0]));
    private static final ThreadLocal<float[][]> GEMM_INPUT = ThreadLocal.withInitial(() -> new float[2][0]);

    /**
     * x's m rows quantized to Q8_0 for the GEMV kernels, in the caller thread's scratch (with the
     * 512-bit Q4_0 layout too where that kernel runs: O(in) work against the O(out * in) dot).
     */
    static Q8Activations.Rows quantizeInput(float[] x, int m, int in) {
        Q8Activations.Rows r = GEMV_INPUT.get();
        if (r.q().length < m * in) {
            GEMV_INPUT.set(r = new Q8Activations.Rows(new short[m * in], new float[m * in / 32], new short[Gemv.WIDE ? 2 * m * in : 0]));
        }
        for (int t = 0; t < m; t++) {
            Q8Activations.quantize(x, t * in, in, r.q(), t * in, r.d(), t * in / 32);
            if (Gemv.WIDE) Q8Activations.halves(r.q(), t * in, in, r.halves(), 2 * t * in);
        }
        return r;
    }

    private static float[] activationScratch(int which, int size) {
        float[][] bufs = GEMM_INPUT.get();
        if (bufs[which].length < size) bufs[which] = new float[size];
        return bufs[which];
    }

    /**
     * Packs weight rows [j0, j0+nr) x [p0, p0+kc) transposed into a k-major panel, PACK_CHUNK
     * k-steps at a time: the chunk's rows are converted to floats (s.row, NR x PACK_CHUNK), then
     * written out k-major. The panel region written per chunk (4 KiB) stays in L1; scattering a
     * whole row at a time touched kc cache lines of a panel that, at kc = 896, no longer fits L1.
     */
    private void pack(int j0, int nr, int p0, int kc, float[] panel, int off, GemmKernel.Scratch s) {
        float[] rows = s.row;
        for (int c0 = 0; c0 < kc; c0 += PACK_CHUNK) {
            int len = Math.min(PACK_CHUNK, kc - c0);
            for (int r = 0; r < nr; r++) convert(j0 + r, p0 + c0, len, rows, r * PACK_CHUNK);
            if (nr < NR) java.util.Arrays.fill(rows, nr * PACK_CHUNK, NR * PACK_CHUNK, 0f);
            for (int k = 0, o = off + c0 * NR; k < len; k++, o += NR) {
                for (int r = 0; r < NR; r++) panel[o + r] = rows[r * PACK_CHUNK + k];
            }
        }
    }

    /** Weight row j, columns [p, p+len), as floats into dst[dOff..]. */
    private void convert(int j, int p, int len, float[] dst, int dOff) {
        if (quantized()) { // p and len are multiples of 32 (K-blocks and chunks are)
            if (dtype == DType.Q8_0) Dequant.q8_0(pairs, j, p / 32, len / 32, dst, dOff);
            else Dequant.q4_0(pairs, j, p / 32, len / 32, dst, dOff);
        } else {
            Dequant.row(dtype, w, (long) j * in + p, len, dst, dOff);
        }
    }
}
