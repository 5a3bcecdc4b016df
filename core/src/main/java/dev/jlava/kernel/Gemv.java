package dev.jlava.kernel;

import static dev.jlava.kernel.Dequant.B8;
import static dev.jlava.kernel.Dequant.BL;
import static dev.jlava.kernel.Dequant.BPARTS;
import static dev.jlava.kernel.Dequant.F16_MIN_NORMAL;
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
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Matrix-vector products {@code y[r] = W[r] . x} for rows {@code [r0, r1)} of a weight stored
 * {@code [out][in]} in its file format, read once from the segment and widened in registers
 * (decode is bound by weight bandwidth, so nothing is dequantized to memory). Each method is
 * one loop nest on purpose: vectors never cross a call, so C2 keeps them in registers.
 */
final class Gemv {
    private Gemv() {}

    static void f32(MemorySegment w, int k, int r0, int r1, float[] x, int xOff, float[] y, int yOff) {
        long rowBytes = 4L * k;
        for (int r = r0; r < r1; r++) {
            long base = r * rowBytes;
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
            float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            for (; i < k; i++) s += w.get(Tensor.F32_LE, base + 4L * i) * x[xOff + i];
            y[yOff + r] = s;
        }
    }

    static void bf16(MemorySegment w, int k, int r0, int r1, float[] x, int xOff, float[] y, int yOff) {
        long rowBytes = 2L * k;
        for (int r = r0; r < r1; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            int i = 0;
            for (; i <= k - 2 * L; i += 2 * L) {
                long at = base + 2L * i;
                IntVector h0 = (IntVector) ShortVector.fromMemorySegment(S16, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_S2I, I32, 0);
                IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S16, w, at + 2L * L, LE).convertShape(VectorOperators.ZERO_EXTEND_S2I, I32, 0);
                a0 = h0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i), a0);
                a1 = h1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
            }
            float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
            for (; i < k; i++) s += Float.intBitsToFloat((w.get(Tensor.I16_LE, base + 2L * i) & 0xffff) << 16) * x[xOff + i];
            y[yOff + r] = s;
        }
    }

    static void f16(MemorySegment w, int k, int r0, int r1, float[] x, int xOff, float[] y, int yOff) {
        long rowBytes = 2L * k;
        for (int r = r0; r < r1; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            int i = 0;
            for (; i <= k - L; i += L) {
                // The same exact F16 widening as Dequant.f16, inlined.
                IntVector h = (IntVector) ShortVector.fromMemorySegment(S16, w, base + 2L * i, LE).convertShape(VectorOperators.ZERO_EXTEND_S2I, I32, 0);
                IntVector em = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
                VectorMask<Integer> infNan = em.compare(VectorOperators.GE, 0x7c00 << 13);
                VectorMask<Integer> small = em.compare(VectorOperators.LT, 0x0400 << 13);
                FloatVector v = em.add(112 << 23).add(112 << 23, infNan).add(1 << 23, small).reinterpretAsFloats()
                        .sub(F16_MIN_NORMAL, small.cast(F));
                v = v.reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
                if ((i & L) == 0) a0 = v.fma(FloatVector.fromArray(F, x, xOff + i), a0);
                else a1 = v.fma(FloatVector.fromArray(F, x, xOff + i), a1);
            }
            float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
            for (; i < k; i++) s += Float.float16ToFloat(w.get(Tensor.I16_LE, base + 2L * i)) * x[xOff + i];
            y[yOff + r] = s;
        }
    }

    /**
     * Q8_0 weights times a Q8_0-quantized input ({@link Q8Activations}): per block the products
     * q_w * q_x are summed exactly (integers in float lanes), then scaled by d_w * d_x.
     */
    static void q8_0(MemorySegment w, int k, int r0, int r1, float[] qx, int qOff, float[] dx, int dOff, float[] y, int yOff) {
        int nb = k / 32;
        long rowBytes = 34L * nb;
        for (int r = r0; r < r1; r++) {
            long base = r * rowBytes;
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < nb; b++) {
                long blk = base + 34L * b;
                FloatVector s = FloatVector.zero(F);
                for (int j = 0; j < 32; j += BL) {
                    ByteVector q = ByteVector.fromMemorySegment(B8, w, blk + 2 + j, LE);
                    for (int p = 0; p < BPARTS; p++) {
                        s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, qx, qOff + 32 * b + j + p * L), s);
                    }
                }
                float d = Float.float16ToFloat(w.get(Tensor.I16_LE, blk)) * dx[dOff + b];
                acc = s.fma(FloatVector.broadcast(F, d), acc);
            }
            y[yOff + r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }

    /** Q4_0 weights (nibble - 8) times a Q8_0-quantized input, as llama.cpp's q4_0 x q8_0 dot. */
    static void q4_0(MemorySegment w, int k, int r0, int r1, float[] qx, int qOff, float[] dx, int dOff, float[] y, int yOff) {
        int nb = k / 32;
        long rowBytes = 18L * nb;
        for (int r = r0; r < r1; r++) {
            long base = r * rowBytes;
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < nb; b++) {
                long blk = base + 18L * b;
                FloatVector s = FloatVector.zero(F);
                for (int j = 0; j < 16; j += BL) {
                    ByteVector q = ByteVector.fromMemorySegment(B8, w, blk + 2 + j, LE);
                    ByteVector lo = q.and((byte) 0x0f).sub((byte) 8);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                    for (int p = 0; p < BPARTS; p++) {
                        s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, qx, qOff + 32 * b + j + p * L), s);
                        s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, qx, qOff + 32 * b + 16 + j + p * L), s);
                    }
                }
                float d = Float.float16ToFloat(w.get(Tensor.I16_LE, blk)) * dx[dOff + b];
                acc = s.fma(FloatVector.broadcast(F, d), acc);
            }
            y[yOff + r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }
}
