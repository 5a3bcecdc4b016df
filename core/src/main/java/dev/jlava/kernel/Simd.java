package dev.jlava.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel uses. Chosen once per JVM: {@code SPECIES_PREFERRED} (256-bit
 * on AVX2, 512-bit on AVX-512), or {@code -Djlava.vectorBits=128|256|512} to test the other
 * widths on one machine (a width the CPU lacks runs in the Vector API's slow Java fallback:
 * correct, for tests only). The fields are static finals so C2 folds them into the kernels;
 * a species that is not a compile-time constant would make the JIT box every vector.
 */
public final class Simd {
    private Simd() {}

    /** Float lanes. */
    public static final VectorSpecies<Float> F = floatSpecies();
    /** Float lanes per vector. */
    public static final int L = F.length();
    /** Bytes with at least L lanes and at least 64 bits (the smallest byte shape), for int8 weights. */
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_64.length() >= L
            ? ByteVector.SPECIES_64 : VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    private static VectorSpecies<Float> floatSpecies() {
        String bits = System.getProperty("jlava.vectorBits", "").trim();
        if (bits.isEmpty() || bits.equals("0")) return FloatVector.SPECIES_PREFERRED;
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("-Djlava.vectorBits must be 128, 256 or 512, is " + bits);
        };
    }

    /** Width in bits of the float species (for logs and benchmark reports). */
    public static int bits() {
        return F.vectorBitSize();
    }

    /**
     * The sum of a vector's lanes (any float species) as a fixed tree of lanewise adds: lane i
     * with lane i ^ 8, then ^ 4, ^ 2, ^ 1. {@code reduceLanes(ADD)} is not used for results that
     * must be reproducible: its Java fallback (interpreter, C1) adds the lanes in sequence while
     * C2's intrinsic adds them as a tree, so the same call could round differently before and
     * after the JIT compiled it (seen as run-to-run differences of the vision tower). Lanewise
     * adds and constant shuffles are exact on every path. (Extracting lanes one by one, the
     * previous way, cost 5 % of quantized decode.) Each step is a tiny method so that C2 always
     * inlines the chain, even at the end of a large kernel, and no vector is boxed to cross a call.
     */
    public static float sum(FloatVector v) {
        int n = v.length();
        return n == 8 ? sum8(v) : n == 4 ? sum4(v) : sum16(v);
    }

    private static final VectorShuffle<Float> X4_2 = xor(FloatVector.SPECIES_128, 2), X4_1 = xor(FloatVector.SPECIES_128, 1);
    private static final VectorShuffle<Float> X8_4 = xor(FloatVector.SPECIES_256, 4), X8_2 = xor(FloatVector.SPECIES_256, 2), X8_1 = xor(FloatVector.SPECIES_256, 1);
    private static final VectorShuffle<Float> X16_8 = xor(FloatVector.SPECIES_512, 8), X16_4 = xor(FloatVector.SPECIES_512, 4);
    private static final VectorShuffle<Float> X16_2 = xor(FloatVector.SPECIES_512, 2), X16_1 = xor(FloatVector.SPECIES_512, 1);

    private static VectorShuffle<Float> xor(VectorSpecies<Float> s, int bit) {
        return VectorShuffle.fromOp(s, i -> i ^ bit);
    }

    /**
     * The same sum as {@link #sum(FloatVector)}, of n = 4, 8 or 16 lanes stored at {@code lanes[off..]}:
     * for kernels too large for C2 to inline more vector code at their end (NodeCountInliningCutoff),
     * where a vector passed to a call that is not inlined would be boxed. Storing the vector is one
     * instruction; this scalar tree is a few more. Overwrites the lanes (scratch).
     */
    public static float sum(float[] lanes, int off, int n) {
        if (n == 8) {
            return ((lanes[off] + lanes[off + 4]) + (lanes[off + 2] + lanes[off + 6])) + ((lanes[off + 1] + lanes[off + 5]) + (lanes[off + 3] + lanes[off + 7]));
        }
        for (int h = n / 2; h >= 1; h /= 2) {
            for (int i = off; i < off + h; i++) lanes[i] += lanes[i + h];
        }
        return lanes[off];
    }

    // Each method stays under C2's always-inline bytecode size (35), wherever it is called from.
    private static FloatVector fold(FloatVector v, VectorShuffle<Float> partner) {
        return v.add(v.rearrange(partner));
    }

    private static float sum4(FloatVector v) {
        return fold(fold(v, X4_2), X4_1).lane(0);
    }

    private static float sum8(FloatVector v) {
        return fold(fold(fold(v, X8_4), X8_2), X8_1).lane(0);
    }

    private static float sum16(FloatVector v) {
        return fold(fold(fold(fold(v, X16_8), X16_4), X16_2), X16_1).lane(0);
    }
}
