package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class HeapAlignmentTest {
    @Test
    void padReachesTheNextLine() {
        assertThat(HeapAlignment.floatPad(0x5_0000_0010L)).isEqualTo(12); // a G1 humongous float[]: region start + 16-byte header
        assertThat(HeapAlignment.floatPad(0x5_0000_0040L)).isZero();
        assertThat(HeapAlignment.floatPad(0x5_0000_003CL)).isEqualTo(1);
        assertThat(HeapAlignment.floatPad(0x5_0000_000CL)).isEqualTo(13); // compact object headers: 12-byte array header
        assertThat(HeapAlignment.floatPad(-1)).isZero(); // unknown
        assertThat(HeapAlignment.floatPad(0x5_0000_0002L)).isZero(); // not a float address
    }

    /** The probe returns the pointer C sees: a native segment's own address, and heap offsets that add up. */
    @Test
    void addressIsThePointerCReceives() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(1000, 8).asSlice(24);
            assertThat(HeapAlignment.address(native_)).isEqualTo(native_.address());
        }
        float[] big = new float[(32 << 20) / 4]; // 32 MB: humongous in G1 whatever the region size, so it does not move
        long a = HeapAlignment.address(MemorySegment.ofArray(big));
        assertThat(a).isPositive();
        assertThat(HeapAlignment.address(MemorySegment.ofArray(big).asSlice(40))).isEqualTo(a + 40);
        int pad = HeapAlignment.floatPad(big);
        assertThat(pad).isBetween(0, 15);
        assertThat((a + 4L * pad) % 64).isZero();
    }

    /** A large F32 copy starts on a cache line, and stays there through a collection. */
    @Test
    void largeHeapCopyStartsOnALine() {
        MemorySegment src = MemorySegment.ofArray(new byte[32 << 20]);
        src.set(dev.jlava.tensor.Tensor.F32_LE, 0, 2.5f);
        src.set(dev.jlava.tensor.Tensor.F32_LE, src.byteSize() - 4, -1.25f);
        HeapFloats copy = WeightResidency.COPY.heapCopy(src, this);
        assertThat(copy).isNotNull();
        assertThat(copy.array()[copy.offset()]).isEqualTo(2.5f);
        assertThat(copy.array()[copy.offset() + copy.length() - 1]).isEqualTo(-1.25f);
        System.gc();
        assertThat(HeapAlignment.address(copy.segment()) % 64).isZero();
    }
}
