package dev.jlava.kernel;

import static dev.jlava.kernel.Dequant.I32;
import static dev.jlava.kernel.Dequant.LE;
import static dev.jlava.kernel.Dequant.S16;
import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2S;

import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products {@code y[r] = W[r] . x} for rows {@code [r0, r1)} of a weight stored
 * {@code [out][in]} in its file format, read once from the segment and widened in registers
 * (decode is bound by weight bandwidth, so nothing is dequantized to memory).
 *
 * <p>JIT notes: each row is one call of a small method that returns a float, so (1) no vector
 * crosses a call and (2) the vector loop is compiled after a few hundred rows by invocation
 * count instead of by on-stack replacement of a long row loop; an OSR-compiled vector loop
 * was seen boxing its accumulators (hundreds of KB per call) until the normal compile arrived.
 */
final class Gemv {
    private Gemv() {}

    /**
     * Four rows per pass (each input vector loaded once for four; the rows are consecutive, so the
     * pass still reads one stream), the last r1 - r0 mod 4 rows one by one. Over the 24 down / up
     * projections of the F32 file, read one after another on 2 threads, four rows per pass read
     * 28.3-28.5 / 22.3-23.0 GB/s on average against 23.1-23.5 / 21.1-21.7 one row at a time
     * (docs/performance.md, session 11).
     */
    /**
     * The same over a weight held in a heap array (rows k floats apart) and an input x starting at
     * index 0, with the same sums in the same order, so the results are bit-identical. What this
     * buys is memory-level parallelism: a streaming loop whose loads need fewer instructions keeps
     * more cache misses in flight. Decode's GEMV sequence for Qwen2-0.5B F32 on 2 threads,
     * alternated in one JVM: 29.5-30.1 "tokens"/s from arrays against 25.4-25.5 from native
     * segments, and 25.4-26.8 from arrays when x is read at an offset (docs/performance.md, session 15).
     */
    static void f32(float[] w, int w0, int k, int r0, int r1, float[] x, float[] y, int yOff) {
        int r = r0;
        for (; r + 3 < r1; r += 4) dot4F32(w, w0 + r * k, k, x, y, yOff + r);
        for (; r < r1; r++) y[yOff + r] = dotF32(w, w0 + r * k, k, x);
    }

    /** {@link #dot4F32(MemorySegment, long, int, float[], int, float[], int)} over a heap array; base is a float index, x starts at 0. */
    static void dot4F32(float[] w, int base, int k, float[] x, float[] y, int yOff) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int rb = base + k, rc = rb + k, rd = rc + k;
        int i = 0;
        for (; i <= k - 2 * L; i += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(F, x, i), x1 = FloatVector.fromArray(F, x, i + L);
            a0 = FloatVector.fromArray(F, w, base + i).fma(x0, a0);
            a1 = FloatVector.fromArray(F, w, base + i + L).fma(x1, a1);
            b0 = FloatVector.fromArray(F, w, rb + i).fma(x0, b0);
            b1 = FloatVector.fromArray(F, w, rb + i + L).fma(x1, b1);
            c0 = FloatVector.fromArray(F, w, rc + i).fma(x0, c0);
            c1 = FloatVector.fromArray(F, w, rc + i + L).fma(x1, c1);
            d0 = FloatVector.fromArray(F, w, rd + i).fma(x0, d0);
            d1 = FloatVector.fromArray(F, w, rd + i + L).fma(x1, d1);
        }
        FloatVector s4 = sum4(a0.add(a1), b0.add(b1), c0.add(c1), d0.add(d1));
        float sa = s4.lane(0), sb = s4.lane(L / 2), sc = s4.lane(L / 4), sd = s4.lane(L / 2 + L / 4);
        for (; i < k; i++) {
            float xi = x[i];
            sa += w[base + i] * xi;
            sb += w[rb + i] * xi;
            sc += w[rc + i] * xi;
            sd += w[rd + i] * xi;
        }
        y[yOff] = sa;
        y[yOff + 1] = sb;
        y[yOff + 2] = sc;
        y[yOff + 3] = sd;
    }

    /** {@link #dotF32(MemorySegment, long, int, float[], int)} over a heap array; base is a float index, x starts at 0. */
    static float dotF32(float[] w, int base, int k, float[] x) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int i = 0;
        for (; i <= k - 2 * L; i += 2 * L) {
            a0 = FloatVector.fromArray(F, w, base + i).fma(FloatVector.fromArray(F, x, i), a0);
            a1 = FloatVector.fromArray(F, w, base + i + L).fma(FloatVector.fromArray(F, x, i + L), a1);
        }
        float s = Simd.sum(a0.add(a1));
        for (; i < k; i++) s += w[base + i] * x[i];
        return s;
    }

    static void f32(MemorySegment w, int k, int r0, int r1, float[] x, int xOff, float[] y, int yOff) {
        int r = r0;
        for (; r + 3 < r1; r += 4) dot4F32(w, r * 4L * k, k, x, xOff, y, yOff + r);
        for (; r < r1; r++) y[yOff + r] = dotF32(w, r * 4L * k, k, x, xOff);
    }

    /**
     * Rows at {@code base} and the three after it (k floats each) into y[yOff..yOff+3]; each as
     * {@link #dotF32} sums it. The four lane trees are folded together ({@link #sum4}): four
     * separate {@link Simd#sum(FloatVector)} calls took this method past C2's
     * NodeCountInliningCutoff at 512 bits, and the fourth then boxed a vector per row.
     */
    static void dot4F32(MemorySegment w, long base, int k, float[] x, int xOff, float[] y, int yOff) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        long row = 4L * k, rb = base + row, rc = rb + row, rd = rc + row;
        int i = 0;
        for (; i <= k - 2 * L; i += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i), x1 = FloatVector.fromArray(F, x, xOff + i + L);
            long o = 4L * i, o1 = o + 4L * L;
            a0 = FloatVector.fromMemorySegment(F, w, base + o, LE).fma(x0, a0);
            a1 = FloatVector.fromMemorySegment(F, w, base + o1, LE).fma(x1, a1);
            b0 = FloatVector.fromMemorySegment(F, w, rb + o, LE).fma(x0, b0);
            b1 = FloatVector.fromMemorySegment(F, w, rb + o1, LE).fma(x1, b1);
            c0 = FloatVector.fromMemorySegment(F, w, rc + o, LE).fma(x0, c0);
            c1 = FloatVector.fromMemorySegment(F, w, rc + o1, LE).fma(x1, c1);
            d0 = FloatVector.fromMemorySegment(F, w, rd + o, LE).fma(x0, d0);
            d1 = FloatVector.fromMemorySegment(F, w, rd + o1, LE).fma(x1, d1);
        }
        FloatVector s4 = sum4(a0.add(a1), b0.add(b1), c0.add(c1), d0.add(d1));
        float sa = s4.lane(0), sb = s4.lane(L / 2), sc = s4.lane(L / 4), sd = s4.lane(L / 2 + L / 4);
        for (; i < k; i++) {
            float xi = x[xOff + i];
            long o = 4L * i;
            sa += w.get(Tensor.F32_LE, base + o) * xi;
            sb += w.get(Tensor.F32_LE, rb + o) * xi;
            sc += w.get(Tensor.F32_LE, rc + o) * xi;
            sd += w.get(Tensor.F32_LE, rd + o) * xi;
        }
        y[yOff] = sa;
        y[yOff + 1] = sb;
        y[yOff + 2] = sc;
        y[yOff + 3] = sd;
    }

    private static final VectorMask<Float> HALF_HI = laneBit(L / 2), QUARTER_HI = laneBit(L / 4);
    private static final VectorShuffle<Float> SWAP_HALF = VectorShuffle.fromOp(F, i -> i ^ (L / 2)), SWAP_QUARTER = VectorShuffle.fromOp(F, i -> i ^ (L / 4));
    private static final VectorShuffle<Float> SWAP_2 = VectorShuffle.fromOp(F, i -> i ^ (L >= 8 ? 2 : 0)), SWAP_1 = VectorShuffle.fromOp(F, i -> i ^ 1);

    private static VectorMask<Float> laneBit(int bit) {
        boolean[] m = new boolean[L];
        for (int i = 0; i < L; i++) m[i] = (i & bit) != 0;
        return VectorMask.fromArray(F, m, 0);
    }

    /**
     * The lane trees of {@link Simd#sum(FloatVector)} (lane i with i ^ L/2, then ^ L/4, ...) of
     * four vectors at once, the same additions in fewer operations: a and b are folded at the
     * first level into one vector (a's pairs in the lanes without bit L/2, b's in those with it),
     * c and d likewise, the two results at the second level, then the remaining levels within
     * each quarter. The sums end in lanes 0 (a), L/2 (b), L/4 (c) and 3L/4 (d); a + b == b + a
     * in IEEE arithmetic, so each equals Simd.sum of its vector exactly.
     */
    static FloatVector sum4(FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        FloatVector ab = a.blend(b, HALF_HI).add(b.blend(a, HALF_HI).rearrange(SWAP_HALF));
        FloatVector cd = c.blend(d, HALF_HI).add(d.blend(c, HALF_HI).rearrange(SWAP_HALF));
        FloatVector v = ab.blend(cd, QUARTER_HI).add(cd.blend(ab, QUARTER_HI).rearrange(SWAP_QUARTER));
        if (L >= 16) v = v.add(v.rearrange(SWAP_2));
        if (L >= 8) v = v.add(v.rearrange(SWAP_1));
        return v;
    }

    /**
     * F16 rows are widened a chunk at a time into an L1-resident float buffer by
     * {@link Dequant#f16} (C2 compiles its scalar loop to vcvtph2ps vectors: exact, 0.06 ns per
     * value here) and then dotted; this is twice as fast as widening with Vector API bit
     * operations, which need blends for subnormals, inf and NaN.
     */
    static void f16(MemorySegment w, int k, int r0, int r1, float[] x, int xOff, float[] y, int yOff) {
        float[] buf = F16_CHUNK.get();
        for (int r = r0; r < r1; r++) {
            long base = r * 2L * k;
            float s = 0;
            for (int c = 0; c < k; c += buf.length) {
                int len = Math.min(buf.length, k - c);
                Dequant.f16(w, base + 2L * c, len, buf, 0);
                s += Ops.dot(buf, 0, x, xOff + c, len);
            }
            y[yOff + r] = s;
        }
    }

    private static final ThreadLocal<float[]> F16_CHUNK = ThreadLocal.withInitial(() -> new float[1024]);

    static void bf16(MemorySegment w, int k, int r0, int r1, float[] x, int xOff, float[] y, int yOff) {
        for (int r = r0; r < r1; r++) y[yOff + r] = dotBF16(w, r * 2L * k, k, x, xOff);
    }

    /*
     * Q8_0 and Q4_0 dots run in 16-bit integer lanes: the weights are widened byte -> short,
     * multiplied by the input's int8 values (held as shorts), two products added per lane, and
     * each lane pair then summed into an int lane (shifts), so a block of 32 ends as QS / 2 exact
     * int partial sums that are converted to float once and scaled by d_w * d_x. No int8 weight is
     * converted to float. Per 32 weights this is 2 widenings, 2 multiplies and ~8 single-cycle
     * ops, where widening each weight to float took 4 lane-crossing byte-to-int widenings and 4
     * conversions: 0.095 against 0.125 ns per weight on Zen 3 (docs/performance.md). The 16-bit
     * sums cannot overflow: |q_w| <= 128 and |q_x| <= 127 give |2 products| <= 32512 (Q8_0), and
     * nibbles minus 8 give |2 products| <= 2032 (Q4_0). Vectors are at most 256 bits (a block is
     * 32 values), at least 128.
     */
    static final VectorSpecies<Short> QS = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.min(256, Math.max(128, F.vectorBitSize()))));
    private static final int QL = QS.length();
    private static final VectorSpecies<Byte> QB = VectorSpecies.of(byte.class, VectorShape.forBitSize(QL * 8));
    private static final VectorSpecies<Float> QF = VectorSpecies.of(float.class, QS.vectorShape());
    private static final VectorSpecies<Integer> QI = VectorSpecies.of(int.class, QS.vectorShape());

    /**
     * Whether the Q8_0/Q4_0 GEMVs use {@link WideQuantDots}: where the preferred species is 512
     * bits, unless {@code -Djlava.gemv.wide=false} (for measuring one against the other).
     */
    static final boolean WIDE = F.vectorBitSize() >= 512 && Boolean.parseBoolean(System.getProperty("jlava.gemv.wide", "true"));

    /**
     * Rows [r0, r1) of a Q8_0 weight in the {@link RowPairs} layout, times an input row quantized
     * by {@link Q8Activations#quantize} (the row at element xOff of x, a multiple of 32): per block
     * the integer dot of q_w and q_x scaled by d_w * d_x, as llama.cpp's q8_0 x q8_0 dot (the same
     * value up to float summation order across blocks).
     */
    static void q8_0(RowPairs w, int r0, int r1, Q8Activations.Rows x, int xOff, float[] y, int yOff) {
        quantized(true, w, r0, r1, x, xOff, y, yOff);
    }

    /** Q4_0 weights (nibble - 8) in the {@link RowPairs} layout times a quantized input, as llama.cpp's q4_0 x q8_0 dot. */
    static void q4_0(RowPairs w, int r0, int r1, Q8Activations.Rows x, int xOff, float[] y, int yOff) {
        quantized(false, w, r0, r1, x, xOff, y, yOff);
    }

    /** Whole pairs two rows per pass; a row whose partner is outside [r0, r1) is computed with it and kept alone. */
    private static void quantized(boolean q8, RowPairs w, int r0, int r1, Q8Activations.Rows x, int xOff, float[] y, int yOff) {
        float[] lanes = new float[32];
        int r = r0;
        if ((r & 1) == 1 && r < r1) single(q8, w, r++, x, xOff, y, yOff, lanes);
        for (; r + 1 < r1; r += 2) pair(q8, w, r, x, xOff, y, yOff + r, lanes);
        if (r < r1) single(q8, w, r, x, xOff, y, yOff, lanes);
    }

    private static void single(boolean q8, RowPairs w, int r, Q8Activations.Rows x, int xOff, float[] y, int yOff, float[] lanes) {
        float[] both = new float[2];
        pair(q8, w, r & ~1, x, xOff, both, 0, lanes);
        y[yOff + r] = both[r & 1];
    }

    /** Rows r (even) and r + 1 into y[yOff], y[yOff + 1]. */
    private static void pair(boolean q8, RowPairs w, int r, Q8Activations.Rows x, int xOff, float[] y, int yOff, float[] lanes) {
        MemorySegment q = w.quants();
        long at = w.quantAt(r, 0);
        float[] s = w.scales();
        int sAt = w.scaleAt(r, 0), nb = w.blocks(), dOff = xOff / 32;
        if (WIDE) {
            if (q8) WideQuantDots.dot2Q8_0(q, at, s, sAt, nb, x.q(), xOff, x.d(), dOff, y, yOff);
            else WideQuantDots.dot2Q4_0(q, at, s, sAt, nb, x.halves(), 2 * xOff, x.d(), dOff, y, yOff);
        } else {
            if (q8) dot2Q8_0(q, at, s, sAt, nb, x.q(), xOff, x.d(), dOff, y, yOff, lanes);
            else dot2Q4_0(q, at, s, sAt, nb, x.q(), xOff, x.d(), dOff, y, yOff, lanes);
        }
    }

    /**
     * One row, summed in exactly {@link #dot4F32}'s order (two accumulators over 2L-wide steps,
     * their lane tree, then the tail one by one), so a row's value does not depend on whether
     * the row pieces of a pass put it in a group of four.
     */
    static float dotF32(MemorySegment w, long base, int k, float[] x, int xOff) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int i = 0;
        for (; i <= k - 2 * L; i += 2 * L) {
            long o = base + 4L * i;
            a0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, o + 4L * L, LE).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        float s = Simd.sum(a0.add(a1));
        for (; i < k; i++) s += w.get(Tensor.F32_LE, base + 4L * i) * x[xOff + i];
        return s;
    }

    static float dotBF16(MemorySegment w, long base, int k, float[] x, int xOff) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int i = 0;
        for (; i <= k - 2 * L; i += 2 * L) {
            long at = base + 2L * i;
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(S16, w, at, LE).convertShape(VectorOperators.S2I, I32, 0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S16, w, at + 2L * L, LE).convertShape(VectorOperators.S2I, I32, 0);
            a0 = h0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = h1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        for (; i <= k - L; i += L) {
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(S16, w, base + 2L * i, LE).convertShape(VectorOperators.S2I, I32, 0);
            a0 = h0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = Simd.sum(a0.add(a1));
        for (; i < k; i++) s += Float.intBitsToFloat(w.get(Tensor.I16_LE, base + 2L * i) << 16) * x[xOff + i];
        return s;
    }

    /**
     * A row pair of {@link RowPairs}: block b's quants at {@code at + 64 b} (first row) and 32
     * bytes further (second row), its scales at {@code s[sAt + 2 b]} and the next. Each input
     * vector is loaded once for both rows. The first 2 * QL values of a block are summed outside
     * the loop over the rest (which runs only with 128-bit vectors): C2 does not fold an add to a
     * zero vector.
     */
    static void dot2Q8_0(MemorySegment q, long at, float[] s, int sAt, int nb, short[] qx, int qOff, float[] dx, int dOff, float[] y, int yOff, float[] lanes) {
        FloatVector acc0 = FloatVector.zero(QF), acc1 = acc0;
        for (int b = 0; b < nb; b++) {
            long q0 = at + 64L * b, q1 = q0 + 32;
            int xb = qOff + 32 * b;
            float db = dx[dOff + b];
            float d0 = s[sAt + 2 * b] * db, d1 = s[sAt + 2 * b + 1] * db;
            ShortVector xa = ShortVector.fromArray(QS, qx, xb), xc = ShortVector.fromArray(QS, qx, xb + QL);
            IntVector t0 = pairSums(int8(q, q0).mul(xa).add(int8(q, q0 + QL).mul(xc)));
            IntVector t1 = pairSums(int8(q, q1).mul(xa).add(int8(q, q1 + QL).mul(xc)));
            for (int c = 2 * QL; c < 32; c += 2 * QL) {
                xa = ShortVector.fromArray(QS, qx, xb + c);
                xc = ShortVector.fromArray(QS, qx, xb + c + QL);
                t0 = t0.add(pairSums(int8(q, q0 + c).mul(xa).add(int8(q, q0 + c + QL).mul(xc))));
                t1 = t1.add(pairSums(int8(q, q1 + c).mul(xa).add(int8(q, q1 + c + QL).mul(xc))));
            }
            acc0 = ((FloatVector) t0.convert(I2F, 0)).fma(FloatVector.broadcast(QF, d0), acc0);
            acc1 = ((FloatVector) t1.convert(I2F, 0)).fma(FloatVector.broadcast(QF, d1), acc1);
        }
        acc0.intoArray(lanes, 0); // summed outside vector code: see Simd#sum(float[], int, int)
        acc1.intoArray(lanes, QF.length());
        y[yOff] = Simd.sum(lanes, 0, QF.length());
        y[yOff + 1] = Simd.sum(lanes, QF.length(), QF.length());
    }

    /**
     * A Q4_0 row pair sharing the input loads, as {@link #dot2Q8_0}: block b's nibbles at
     * {@code at + 32 b} and 16 bytes further. Nibble j is element j, its high nibble j + 16. The
     * frame repeats dot2Q8_0's on purpose: one kernel for both formats, or a helper taking the
     * accumulators, goes past C2's inlining node budget, and the vectors it could not inline are
     * boxed (docs/performance.md, GEMV).
     */
    static void dot2Q4_0(MemorySegment q, long at, float[] s, int sAt, int nb, short[] qx, int qOff, float[] dx, int dOff, float[] y, int yOff, float[] lanes) {
        FloatVector acc0 = FloatVector.zero(QF), acc1 = acc0;
        for (int b = 0; b < nb; b++) {
            long q0 = at + 32L * b, q1 = q0 + 16;
            int xb = qOff + 32 * b;
            float db = dx[dOff + b];
            float d0 = s[sAt + 2 * b] * db, d1 = s[sAt + 2 * b + 1] * db;
            ShortVector xlo = ShortVector.fromArray(QS, qx, xb), xhi = ShortVector.fromArray(QS, qx, xb + 16);
            ShortVector n0 = uint8(q, q0), n1 = uint8(q, q1);
            IntVector t0 = pairSums(lowNibble(n0).mul(xlo).add(highNibble(n0).mul(xhi)));
            IntVector t1 = pairSums(lowNibble(n1).mul(xlo).add(highNibble(n1).mul(xhi)));
            for (int c = QL; c < 16; c += QL) {
                xlo = ShortVector.fromArray(QS, qx, xb + c);
                xhi = ShortVector.fromArray(QS, qx, xb + 16 + c);
                n0 = uint8(q, q0 + c);
                n1 = uint8(q, q1 + c);
                t0 = t0.add(pairSums(lowNibble(n0).mul(xlo).add(highNibble(n0).mul(xhi))));
                t1 = t1.add(pairSums(lowNibble(n1).mul(xlo).add(highNibble(n1).mul(xhi))));
            }
            acc0 = ((FloatVector) t0.convert(I2F, 0)).fma(FloatVector.broadcast(QF, d0), acc0);
            acc1 = ((FloatVector) t1.convert(I2F, 0)).fma(FloatVector.broadcast(QF, d1), acc1);
        }
        acc0.intoArray(lanes, 0); // summed outside vector code: see Simd#sum(float[], int, int)
        acc1.intoArray(lanes, QF.length());
        y[yOff] = Simd.sum(lanes, 0, QF.length());
        y[yOff + 1] = Simd.sum(lanes, QF.length(), QF.length());
    }

    // The helpers below are tiny so that C2 always inlines them (a vector crossing a call is boxed).

    /** QL signed bytes at {@code at}, widened to shorts. */
    private static ShortVector int8(MemorySegment w, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(QB, w, at, LE).convertShape(B2S, QS, 0);
    }

    /** QL unsigned bytes at {@code at}, widened to shorts. */
    private static ShortVector uint8(MemorySegment w, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(QB, w, at, LE).convertShape(ZERO_EXTEND_B2S, QS, 0);
    }

    private static ShortVector lowNibble(ShortVector n) {
        return n.and((short) 0x0f).sub((short) 8);
    }

    private static ShortVector highNibble(ShortVector n) {
        return n.lanewise(LSHR, 4).sub((short) 8);
    }

    /** Int lane i = short lanes 2i + 2i+1 (both sign-extended). */
    private static IntVector pairSums(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(LSHL, 16).lanewise(ASHR, 16).add(v.lanewise(ASHR, 16));
    }
}
