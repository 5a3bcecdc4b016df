package dev.jlava.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
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
     * The sum of a vector's lanes, added in lane order. {@code reduceLanes(ADD)} is not used for
     * results that must be reproducible: its Java fallback (interpreter, C1) adds the lanes in
     * sequence while C2's intrinsic adds them as a tree, so the same call could round differently
     * before and after the JIT compiled it (seen as run-to-run differences of the vision tower).
     * Scalar float adds are never reassociated by the JIT. Kept this small (under the JIT's
     * always-inline size) so that no vector is boxed to cross a call.
     */
    public static float sum(FloatVector v) {
        float s = 0;
        for (int l = 0; l < v.length(); l++) s += v.lane(l);
        return s;
    }
}
