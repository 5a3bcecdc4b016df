package dev.jlava.kernel;

import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized widening of stored weights to float32: a run of elements of one row, read straight
 * from the (memory-mapped) segment. Exact for every dtype (F16 subnormals, inf and NaN included).
 * Used to pack GEMM panels and for embedding lookups; the GEMV kernels inline the same steps.
 */
public final class Dequant {
    private Dequant() {}

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** L shorts (F16/BF16 storage), L ints. */
    static final VectorSpecies<Short> S16 = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    static final VectorSpecies<Integer> I32 = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Byte> B8 = Simd.B;
    /** Byte lanes per loaded int8 vector, and how many float vectors one of them widens to. */
    static final int BL = B8.length();
    static final int BPARTS = BL / L;

    /**
     * Elements {@code [start, start + n)} of the flat weight (dtype {@code t}) into dst[off..].
     * For block types, start and n must be multiples of 32.
     */
    public static void row(DType t, MemorySegment w, long start, int n, float[] dst, int off) {
        switch (t) {
            case F32 -> MemorySegment.copy(w, Tensor.F32_LE, start * 4, dst, off, n);
            case F16 -> f16(w, start * 2, n, dst, off);
            case BF16 -> bf16(w, start * 2, n, dst, off);
            case Q8_0 -> q8_0(w, blockOffset(start, n, 34), n / 32, dst, off);
            case Q4_0 -> q4_0(w, blockOffset(start, n, 18), n / 32, dst, off);
            default -> throw new IllegalArgumentException("no fast dequantization for " + t);
        }
    }

    private static long blockOffset(long start, int n, int blockBytes) {
        if (start % 32 != 0 || n % 32 != 0) throw new IllegalArgumentException("block-quantized runs must be block-aligned: start " + start + ", n " + n);
        return start / 32 * blockBytes;
    }

    /**
     * n F16 values at byte offset {@code at}. A plain loop over {@link Float#float16ToFloat}:
     * C2 vectorizes it with the hardware conversion (F16C / AVX-512), which is exact for every
     * value and faster than any Vector API bit manipulation (the API has no F16 lanes).
     */
    public static void f16(MemorySegment w, long at, int n, float[] dst, int off) {
        for (int i = 0; i < n; i++) dst[off + i] = Float.float16ToFloat(w.get(Tensor.I16_LE, at + 2L * i));
    }

    /** n BF16 values at byte offset {@code at}: the high half of a float32. */
    public static void bf16(MemorySegment w, long at, int n, float[] dst, int off) {
        int i = 0;
        for (; i <= n - L; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S16, w, at + 2L * i, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, I32, 0);
            h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
        }
        for (; i < n; i++) dst[off + i] = Float.intBitsToFloat((w.get(Tensor.I16_LE, at + 2L * i) & 0xffff) << 16);
    }

    /** nBlocks consecutive Q8_0 blocks at byte offset {@code at}: d * q. */
    public static void q8_0(MemorySegment w, long at, int nBlocks, float[] dst, int off) {
        for (int b = 0; b < nBlocks; b++) {
            long blk = at + 34L * b;
            q8Quants(w, blk + 2, Float.float16ToFloat(w.get(Tensor.I16_LE, blk)), dst, off + 32 * b);
        }
    }

    /** nBlocks blocks of one row of a {@link RowPairs} Q8_0 weight, from its block {@code b0}. */
    static void q8_0(RowPairs w, int row, int b0, int nBlocks, float[] dst, int off) {
        for (int b = 0; b < nBlocks; b++) q8Quants(w.quants(), w.quantAt(row, b0 + b), w.scales()[w.scaleAt(row, b0 + b)], dst, off + 32 * b);
    }

    /** 32 int8 quants at {@code at} times d. */
    private static void q8Quants(MemorySegment w, long at, float d, float[] dst, int o) {
        for (int j = 0; j < 32; j += BL) {
            ByteVector q = ByteVector.fromMemorySegment(B8, w, at + j, LE);
            for (int p = 0; p < BPARTS; p++) {
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + j + p * L);
            }
        }
    }

    /** nBlocks Q4_0 blocks at byte offset {@code at}: d * (nibble - 8); byte j holds values j (low) and j+16 (high). */
    public static void q4_0(MemorySegment w, long at, int nBlocks, float[] dst, int off) {
        for (int b = 0; b < nBlocks; b++) {
            long blk = at + 18L * b;
            q4Quants(w, blk + 2, Float.float16ToFloat(w.get(Tensor.I16_LE, blk)), dst, off + 32 * b);
        }
    }

    /** nBlocks blocks of one row of a {@link RowPairs} Q4_0 weight, from its block {@code b0}. */
    static void q4_0(RowPairs w, int row, int b0, int nBlocks, float[] dst, int off) {
        for (int b = 0; b < nBlocks; b++) q4Quants(w.quants(), w.quantAt(row, b0 + b), w.scales()[w.scaleAt(row, b0 + b)], dst, off + 32 * b);
    }

    /** 16 bytes of nibbles at {@code at}: d * (nibble - 8), low nibbles first. */
    private static void q4Quants(MemorySegment w, long at, float d, float[] dst, int o) {
        for (int j = 0; j < 16; j += BL) {
            ByteVector q = ByteVector.fromMemorySegment(B8, w, at + j, LE);
            ByteVector lo = q.and((byte) 0x0f).sub((byte) 8);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            for (int p = 0; p < BPARTS; p++) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + j + p * L);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + 16 + j + p * L);
            }
        }
    }
}
