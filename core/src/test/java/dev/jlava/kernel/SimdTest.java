package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The species override the extra Surefire runs rely on (core/pom.xml runs these tests at 128 and 512 bits). */
class SimdTest {
    @Test
    void speciesFollowsTheOverride() {
        String bits = System.getProperty("jlava.vectorBits", "");
        int want = bits.isBlank() ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : Integer.parseInt(bits.trim());
        assertThat(Simd.bits()).isEqualTo(want);
        assertThat(Simd.L * 32).isEqualTo(want);
        assertThat(Simd.B.length()).isGreaterThanOrEqualTo(Simd.L);
        assertThat(GemmKernel.NR).isEqualTo(2 * Simd.L);
        assertThat(GemmKernel.KC % 32).isZero();
    }
}
