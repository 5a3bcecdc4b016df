package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightResidencyTest {
    @TempDir Path tmp;

    @Test
    void propertyValues() {
        assertThat(WeightResidency.fromProperty("copy")).isEqualTo(WeightResidency.COPY);
        assertThat(WeightResidency.fromProperty(" Mapped ")).isEqualTo(WeightResidency.MAPPED);
        assertThat(WeightResidency.fromProperty("mmap")).isEqualTo(WeightResidency.MAPPED);
        assertThatThrownBy(() -> WeightResidency.fromProperty("ram")).hasMessageContaining("jlava.weights").hasMessageContaining("'ram'");
    }

    @Test
    void copyLeavesTheMappingAndKeepsEveryByte() throws IOException {
        byte[] bytes = new byte[4096 + 36];
        new java.util.Random(3).nextBytes(bytes);
        Path f = Files.write(tmp.resolve("w.bin"), bytes);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena).asSlice(36); // 36 bytes in: not 64-aligned
            MemorySegment copy = WeightResidency.COPY.place(mapped);
            assertThat(copy.isMapped()).isFalse();
            assertThat(copy.address() % 64).isZero();
            assertThat(copy.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 36, bytes.length));
            assertThat(WeightResidency.MAPPED.place(mapped)).isSameAs(mapped);
        }
        MemorySegment heap = MemorySegment.ofArray(new float[8]);
        assertThat(WeightResidency.COPY.place(heap)).isSameAs(heap); // nothing to gain from copying a heap or native segment
    }
}
