package dev.jlava.kernel;

import static dev.jlava.kernel.Dequant.B8;
import static dev.jlava.kernel.Dequant.BL;
import static dev.jlava.kernel.Dequant.BPARTS;
import static dev.jlava.kernel.Dequant.I32;
import static dev.jlava.kernel.Dequant.LE;
import static dev.jlava.kernel.Dequant.S16;
import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

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

    static void f32(MemorySegment w, int k, int r0, int r1, float[] x, int xOff, float[] y, int yOff) {
        for (int r = r0; r < r1; r++) y[yOff + r] = dotF32(w, r * 4L * k, k, x, xOff);
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

    /**
     * Q8_0 weights times a Q8_0-quantized input ({@link Q8Activations}: integer-valued qx, scales
     * dx): per block the products q_w * q_x are summed exactly (integers in float lanes), then
     * scaled by d_w * d_x, as llama.cpp's q8_0 x q8_0 dot.
     */
    static void q8_0(MemorySegment w, int k, int r0, int r1, float[] qx, int qOff, float[] dx, int dOff, float[] y, int yOff) {
        long rowBytes = 34L * (k / 32);
        int r = r0;
        for (; r + 1 < r1; r += 2) dot2Q8_0(w, r * rowBytes, rowBytes, k / 32, qx, qOff, dx, dOff, y, yOff + r);
        if (r < r1) {
            float[] pair = new float[2];
            dot2Q8_0(w, r * rowBytes, 0, k / 32, qx, qOff, dx, dOff, pair, 0);
            y[yOff + r] = pair[0];
        }
    }

    /**
     * Q4_0 weights (nibble - 8) times a Q8_0-quantized input, as llama.cpp's q4_0 x q8_0 dot. The
     * offset 8 is taken out of the inner loop: per block, sum(n * q_x) - 8 * sum(q_x), with
     * {@code sx[b] = 8 * sum(q_x)} computed once per input ({@link #blockSums8}); both sums are
     * exact integers in float32, so the block value is the same.
     */
    static void q4_0(MemorySegment w, int k, int r0, int r1, float[] qx, int qOff, float[] dx, float[] sx, int dOff, float[] y, int yOff) {
        long rowBytes = 18L * (k / 32);
        int r = r0;
        for (; r + 1 < r1; r += 2) dot2Q4_0(w, r * rowBytes, rowBytes, k / 32, qx, qOff, dx, sx, dOff, y, yOff + r);
        if (r < r1) {
            float[] pair = new float[2];
            dot2Q4_0(w, r * rowBytes, 0, k / 32, qx, qOff, dx, sx, dOff, pair, 0);
            y[yOff + r] = pair[0];
        }
    }

    /** {@code sx[sOff + b] = 8 * sum of qx over block b} for k / 32 blocks (see {@link #q4_0}). */
    static void blockSums8(float[] qx, int qOff, int k, float[] sx, int sOff) {
        for (int b = 0; b < k / 32; b++) {
            FloatVector s = FloatVector.fromArray(F, qx, qOff + 32 * b);
            for (int j = L; j < 32; j += L) s = s.add(FloatVector.fromArray(F, qx, qOff + 32 * b + j));
            sx[sOff + b] = 8 * s.reduceLanes(VectorOperators.ADD); // exact integers: any order gives the same sum
        }
    }

    static float dotF32(MemorySegment w, long base, int k, float[] x, int xOff) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i <= k - 4 * L; i += 4 * L) {
            long at = base + 4L * i;
            a0 = FloatVector.fromMemorySegment(F, w, at, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, at + 4L * L, LE).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
            a2 = FloatVector.fromMemorySegment(F, w, at + 8L * L, LE).fma(FloatVector.fromArray(F, x, xOff + i + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(F, w, at + 12L * L, LE).fma(FloatVector.fromArray(F, x, xOff + i + 3 * L), a3);
        }
        for (; i <= k - L; i += L) {
            a0 = FloatVector.fromMemorySegment(F, w, base + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = Simd.sum(a0.add(a1).add(a2.add(a3)));
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
     * Rows base and base + rowBytes into y[yOff], y[yOff + 1]: each activation vector is loaded once
     * for both (the int8-to-float conversion bounds this kernel, so the saved loads and scale reads
     * are ~10 %, measured). An odd last row runs as a pair with itself (rowBytes = 0).
     */
    static void dot2Q8_0(MemorySegment w, long base, long rowBytes, int nb, float[] qx, int qOff, float[] dx, int dOff, float[] y, int yOff) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        for (int b = 0; b < nb; b++) {
            long blk0 = base + 34L * b, blk1 = blk0 + rowBytes;
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            for (int j = 0; j < 32; j += BL) {
                ByteVector q0 = ByteVector.fromMemorySegment(B8, w, blk0 + 2 + j, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B8, w, blk1 + 2 + j, LE);
                for (int p = 0; p < BPARTS; p++) {
                    FloatVector xv = FloatVector.fromArray(F, qx, qOff + 32 * b + j + p * L);
                    s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(xv, s0);
                    s1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(xv, s1);
                }
            }
            float db = dx[dOff + b];
            acc0 = s0.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Tensor.I16_LE, blk0)) * db), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Tensor.I16_LE, blk1)) * db), acc1);
        }
        y[yOff] = Simd.sum(acc0);
        y[yOff + 1] = Simd.sum(acc1);
    }

    /** Two rows of Q4_0 sharing the activation loads, as {@link #dot2Q8_0}. */
    static void dot2Q4_0(MemorySegment w, long base, long rowBytes, int nb, float[] qx, int qOff, float[] dx, float[] sx, int dOff, float[] y, int yOff) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        float offset0 = 0, offset1 = 0;
        for (int b = 0; b < nb; b++) {
            long blk0 = base + 18L * b, blk1 = blk0 + rowBytes;
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            for (int j = 0; j < 16; j += BL) {
                ByteVector q0 = ByteVector.fromMemorySegment(B8, w, blk0 + 2 + j, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B8, w, blk1 + 2 + j, LE);
                for (int p = 0; p < BPARTS; p++) {
                    // Widen L bytes to ints, then split the nibbles with int ops (byte shifts are emulated on x86).
                    FloatVector xlo = FloatVector.fromArray(F, qx, qOff + 32 * b + j + p * L);
                    FloatVector xhi = FloatVector.fromArray(F, qx, qOff + 32 * b + 16 + j + p * L);
                    IntVector v0 = (IntVector) q0.convertShape(VectorOperators.ZERO_EXTEND_B2I, I32, p);
                    IntVector v1 = (IntVector) q1.convertShape(VectorOperators.ZERO_EXTEND_B2I, I32, p);
                    s0 = v0.and(0x0f).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(xlo, s0);
                    s0 = v0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(xhi, s0);
                    s1 = v1.and(0x0f).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(xlo, s1);
                    s1 = v1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0).reinterpretAsFloats().fma(xhi, s1);
                }
            }
            float db = dx[dOff + b];
            float d0 = Float.float16ToFloat(w.get(Tensor.I16_LE, blk0)) * db, d1 = Float.float16ToFloat(w.get(Tensor.I16_LE, blk1)) * db;
            acc0 = s0.fma(FloatVector.broadcast(F, d0), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, d1), acc1);
            offset0 += sx[dOff + b] * d0;
            offset1 += sx[dOff + b] * d1;
        }
        y[yOff] = Simd.sum(acc0) - offset0;
        y[yOff + 1] = Simd.sum(acc1) - offset1;
    }
}
