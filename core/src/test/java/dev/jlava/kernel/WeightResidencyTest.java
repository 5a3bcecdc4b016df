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
import java.util.Arrays;
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

    @Test
    void f32CopiesGoToHeapArraysWithinTheBudget() {
        float[] values = {1.5f, -2f, 3.25f, 0f, 7f, -0.125f};
        MemorySegment bytes = MemorySegment.ofArray(new byte[4 * values.length]);
        for (int i = 0; i < values.length; i++) bytes.set(dev.jlava.tensor.Tensor.F32_LE, 4L * i, values[i]);
        Object owner = new Object();
        HeapFloats copy = WeightResidency.COPY.heapCopy(bytes, owner);
        assertThat(copy.toArray()).containsExactly(values);
        assertThat(copy.segment().toArray(ValueLayout.JAVA_FLOAT)).containsExactly(values);
        assertThat(WeightResidency.MAPPED.heapCopy(bytes, owner)).isNull();
        float[] whole = values.clone();
        HeapFloats used = WeightResidency.COPY.heapCopy(MemorySegment.ofArray(whole), owner);
        assertThat(used.array()).isSameAs(whole); // an in-memory model's array, used as it is
        assertThat(used.offset()).isZero();
        assertThat(WeightResidency.COPY.heapCopy(MemorySegment.ofArray(whole).asSlice(4), owner).toArray()).containsExactly(Arrays.copyOfRange(values, 1, values.length));
        assertThat(WeightResidency.COPY.heapCopy(MemorySegment.ofArray(new byte[6]), owner)).isNull(); // not whole floats
        long before = HeapBudget.used();
        // past the budget (or past one array): stays native; the size is only claimed, nothing is read
        MemorySegment tooBig = MemorySegment.NULL.reinterpret((long) (Runtime.getRuntime().maxMemory() * HeapBudget.SHARE) / 4 * 4 + 64);
        assertThat(WeightResidency.COPY.heapCopy(tooBig, owner)).isNull();
        assertThat(HeapBudget.used()).isEqualTo(before);
    }

    /** F32 weights read from heap arrays (COPY) or from the segment (MAPPED): bit-identical products, GEMV, fused GEMV and GEMM. */
    @Test
    void residencyDoesNotChangeF32Results() {
        java.util.Random rnd = new java.util.Random(11);
        int out = 37, in = 101;
        dev.jlava.tensor.Tensor t = WeightCodec.tensor("w", dev.jlava.tensor.DType.F32, Naive.gaussian(rnd, out * in, 0.1), out, in);
        WeightResidency before = WeightResidency.current();
        try {
            WeightResidency.set(WeightResidency.COPY);
            Linear heap = Linear.of(t), heap2 = Linear.of(t);
            WeightResidency.set(WeightResidency.MAPPED);
            Linear seg = Linear.of(t), seg2 = Linear.of(t);
            for (int m : new int[] {1, 2, 5, 11, 13, 40}) {
                float[] x = Naive.gaussian(rnd, m * in, 1.0), a = new float[m * out], b = new float[m * out];
                heap.forward(x, m, a);
                seg.forward(x, m, b);
                assertThat(a).as("m=%d", m).containsExactly(b);
                float[][] fa = {new float[m * out], new float[m * out]}, fb = {new float[m * out], new float[m * out]};
                FusedGemv.forward(new Linear[] {heap, heap2}, x, m, fa);
                FusedGemv.forward(new Linear[] {seg, seg2}, x, m, fb);
                assertThat(fa[0]).containsExactly(fb[0]);
                assertThat(fa[1]).containsExactly(fb[1]).containsExactly(b);
            }
        } finally {
            WeightResidency.set(before);
        }
    }
}
