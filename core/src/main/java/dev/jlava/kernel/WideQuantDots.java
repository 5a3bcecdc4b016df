package dev.jlava.kernel;

import static dev.jlava.kernel.Dequant.LE;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 and Q4_0 row-pair dots with 512-bit vectors, for machines whose preferred species is 512
 * bits (AVX-512): a whole block of 32 values is one short vector, so a block costs about half
 * the instructions of {@link Gemv}'s 256-bit dots, which on such a machine were bound by
 * instructions, not by memory (docs/performance.md, session 13). The species is fixed, so the
 * tests run these on any machine (slowly where 512 bits are not native).
 *
 * <p>Pair sums: after the 16-bit products, int lane i must hold short lanes 2i + 2i+1. With
 * v the int view, {@code (v + (v << 16)) >> 16} is that sum whenever it fits in 16 bits (the
 * upper half of the add is hi + lo mod 2^16, no carry comes from the lower half, and the
 * arithmetic shift sign-extends): one operation fewer than summing the two sign-extended halves.
 * It fits here: Q8_0 lanes hold one product, |q_w q_x| <= 128 * 127, so a pair is <= 32512; Q4_0
 * lanes hold two products of a nibble - 8 and q_x, so a pair is <= 4 * 8 * 127.
 */
final class WideQuantDots {
    private WideQuantDots() {}

    static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    static final VectorSpecies<Float> FW = FloatVector.SPECIES_512;

    /**
     * Rows r and r + 1 of a Q8_0 {@link RowPairs} (block b's quants at {@code at + 64 b}, the
     * second row's 32 bytes further; scales at {@code s[sAt + 2 b]} and the next) times the
     * quantized input qx (32 shorts per block) with block scales dx, into y[yOff], y[yOff + 1].
     */
    static void dot2Q8_0(MemorySegment q, long at, float[] s, int sAt, int nb, short[] qx, int qOff, float[] dx, int dOff, float[] y, int yOff) {
        FloatVector acc0 = FloatVector.zero(FW), acc1 = acc0;
        for (int b = 0; b < nb; b++) {
            long q0 = at + 64L * b;
            float db = dx[dOff + b];
            ShortVector x = ShortVector.fromArray(S, qx, qOff + 32 * b);
            IntVector t0 = pairSums(int8(q, q0).mul(x));
            IntVector t1 = pairSums(int8(q, q0 + 32).mul(x));
            acc0 = ((FloatVector) t0.convert(I2F, 0)).fma(FloatVector.broadcast(FW, s[sAt + 2 * b] * db), acc0);
            acc1 = ((FloatVector) t1.convert(I2F, 0)).fma(FloatVector.broadcast(FW, s[sAt + 2 * b + 1] * db), acc1);
        }
        halfSums(fold(acc0, X8).blend(fold(acc1, X8), UPPER), y, yOff);
    }

    private static ShortVector int8(MemorySegment w, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(B2S, S, 0);
    }

    /**
     * Rows r and r + 1 of a Q4_0 {@link RowPairs} (block b's 16 nibble bytes at {@code at + 32 b},
     * the second row's right after; byte j holds element j low and j + 16 high) times the input in
     * the {@link Q8Activations#halves} layout (64 shorts per block: x[0..16) twice, then
     * x[16..32) twice). Zero-extending the pair's 32 bytes gives short lanes [row r | row r + 1],
     * so low nibbles times the first 32 shorts plus high nibbles times the next 32 is both rows'
     * products in one vector: after the pair sums, int lanes 0-7 are row r's, 8-15 row r + 1's.
     * (Two blocks per step with two accumulators, for shorter FMA chains, went past C2's inlining
     * budget: a vector was boxed per row pair, and it was no faster.)
     */
    static void dot2Q4_0(MemorySegment q, long at, float[] s, int sAt, int nb, short[] qh, int hOff, float[] dx, int dOff, float[] y, int yOff) {
        FloatVector acc0 = FloatVector.zero(FW), acc1 = acc0;
        for (int b = 0; b < nb; b++) {
            float db = dx[dOff + b];
            int h = hOff + 64 * b;
            ShortVector n = uint8(q, at + 32L * b);
            ShortVector p = low(n).mul(ShortVector.fromArray(S, qh, h)).add(high(n).mul(ShortVector.fromArray(S, qh, h + 32)));
            FloatVector t = (FloatVector) pairSums(p).convert(I2F, 0);
            acc0 = t.fma(FloatVector.broadcast(FW, s[sAt + 2 * b] * db), acc0);   // its lanes 0-7 are row r's
            acc1 = t.fma(FloatVector.broadcast(FW, s[sAt + 2 * b + 1] * db), acc1); // its lanes 8-15 are row r + 1's
        }
        halfSums(acc0.blend(acc1, UPPER), y, yOff);
    }

    private static ShortVector uint8(MemorySegment w, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(ZERO_EXTEND_B2S, S, 0);
    }

    private static ShortVector low(ShortVector n) {
        return n.and((short) 0x0f).sub((short) 8);
    }

    private static ShortVector high(ShortVector n) {
        return n.lanewise(LSHR, 4).sub((short) 8);
    }

    /*
     * The two rows' sums, kept in registers: storing the accumulators and summing their lanes as
     * scalars (as Gemv does) stalled on store forwarding from the 512-bit stores, about 30 ns per
     * row pair, as much as 20 blocks of work. The tree (lane i with i ^ 8, ^ 4, ^ 2, ^ 1) is
     * fixed, so results do not depend on the JIT (see Simd#sum). The helpers are tiny so that C2
     * inlines them and no vector is boxed.
     */
    private static final VectorShuffle<Float> X8 = xor(8), X4 = xor(4), X2 = xor(2), X1 = xor(1);
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(FW, 0xff00L);

    private static VectorShuffle<Float> xor(int bit) {
        return VectorShuffle.fromOp(FW, i -> i ^ bit);
    }

    private static FloatVector fold(FloatVector v, VectorShuffle<Float> partner) {
        return v.add(v.rearrange(partner));
    }

    /** y[yOff] = the sum of v's lanes 0-7, y[yOff + 1] = of lanes 8-15. */
    private static void halfSums(FloatVector v, float[] y, int yOff) {
        FloatVector t = fold(fold(fold(v, X4), X2), X1);
        y[yOff] = t.lane(0);
        y[yOff + 1] = t.lane(8);
    }

    private static IntVector pairSums(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.add(v.lanewise(LSHL, 16)).lanewise(ASHR, 16);
    }
}
