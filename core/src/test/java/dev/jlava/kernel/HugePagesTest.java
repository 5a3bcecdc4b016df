package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Memory from HugePages is zeroed, writable, of the asked size and aligned; small blocks come from the arena. */
class HugePagesTest {
    @Test
    void bigBlocksAreZeroedWritableAndOnHugePageBoundaries() {
        long bytes = HugePages.MIN_BYTES + 12_345;
        MemorySegment s = HugePages.allocate(bytes);
        assertThat(s.byteSize()).isEqualTo(bytes);
        assertThat(s.address() % 64).isZero();
        if (HugePages.available()) assertThat(s.address() % (2 << 20)).as("mapped blocks start on a 2 MB boundary").isZero();
        for (long i = 0; i < bytes; i += 4093) assertThat(s.get(ValueLayout.JAVA_BYTE, i)).isZero();
        assertThat(s.get(ValueLayout.JAVA_BYTE, bytes - 1)).isZero();
        s.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, -1L);
        assertThat(s.get(ValueLayout.JAVA_BYTE, bytes - 1)).isEqualTo((byte) 7);
        assertThat(s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)).isEqualTo(-1L);
    }

    @Test
    void manyBlocksCanBeDroppedAndAllocatedAgain() {
        // each block is unmapped once unreachable; 64 x 8 MB would exhaust nothing even if they were not
        for (int i = 0; i < 64; i++) {
            MemorySegment s = HugePages.allocate(8L << 20);
            s.set(ValueLayout.JAVA_INT, (8L << 20) - 4, i);
            assertThat(s.get(ValueLayout.JAVA_INT, (8L << 20) - 4)).isEqualTo(i);
        }
        System.gc();
    }

    @Test
    void smallBlocksComeFromTheArena() {
        MemorySegment s = HugePages.allocate(1000);
        assertThat(s.byteSize()).isEqualTo(1000);
        assertThat(s.address() % 64).isZero();
        assertThat(s.get(ValueLayout.JAVA_BYTE, 999)).isZero();
    }
}
