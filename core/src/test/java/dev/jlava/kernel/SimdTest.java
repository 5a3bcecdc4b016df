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

    /** K-blocks: multiples of 32 (quantized blocks never straddle two), none deeper than KC, as few as KC allows. */
    @net.jqwik.api.Property(tries = 300)
    void kBlocksCoverKEvenly(@net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 20000) int k) {
        int kb = GemmKernel.kBlock(k);
        int blocks = (k + kb - 1) / kb;
        assertThat(kb % 32).isZero();
        assertThat(kb).isLessThanOrEqualTo(GemmKernel.KC);
        assertThat(blocks).isEqualTo((k + GemmKernel.KC - 1) / GemmKernel.KC);
        assertThat(k - (blocks - 1) * kb).as("last block").isPositive();
        int mb = GemmKernel.mBlock(kb); // row blocks: whole micro-kernel strips, A block within its L2 budget
        assertThat(mb % GemmKernel.MR).isZero();
        assertThat(mb).isBetween(GemmKernel.MR, GemmKernel.MC);
        if (mb > GemmKernel.MR) assertThat(4L * mb * kb).isLessThanOrEqualTo(GemmKernel.aBlockBytes);
    }
}
