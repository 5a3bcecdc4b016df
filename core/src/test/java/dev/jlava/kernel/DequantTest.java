package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Vectorized widening vs the scalar reference decoder (Tensor.getFloat / Quants), bit-exact. */
class DequantTest {
    @Test
    void f16EveryBitPatternIsExact() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        MemorySegment seg = MemorySegment.ofArray(all);
        Tensor t = new Tensor("all", DType.F16, new long[] {65536}, seg);
        float[] got = new float[65536 + 3];
        Dequant.f16(seg, 0, 65536, got, 3);
        for (int i = 0; i < 65536; i++) {
            assertThat(Float.floatToRawIntBits(got[3 + i])).as("f16 bits %04x", i).isEqualTo(Float.floatToRawIntBits(t.getFloat(i)));
        }
    }

    @Test
    void bf16EveryBitPatternIsExact() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        MemorySegment seg = MemorySegment.ofArray(all);
        Tensor t = new Tensor("all", DType.BF16, new long[] {65536}, seg);
        float[] got = new float[65536];
        Dequant.bf16(seg, 0, 65536, got, 0);
        for (int i = 0; i < 65536; i++) {
            assertThat(Float.floatToRawIntBits(got[i])).as("bf16 bits %04x", i).isEqualTo(Float.floatToRawIntBits(t.getFloat(i)));
        }
    }

    @Test
    void rowsOfEveryDtypeMatchTheScalarDecoder() {
        Random rnd = new Random(11);
        int rows = 5, cols = 32 * 7;
        float[] v = Naive.gaussian(rnd, rows * cols, 0.3);
        v[3] = 0; // a zero, and a whole zero block
        for (int j = 64; j < 96; j++) v[j] = 0;
        v[100] = 1e-6f; // F16 subnormal
        for (DType d : new DType[] {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0}) {
            Tensor t = WeightCodec.tensor("w", d, v, rows, cols);
            float[] want = t.toFloatArray();
            int block = d.quantized() ? 32 : 1;
            // Runs of different lengths and offsets, including unaligned tails for the float types.
            for (int start = 0; start < rows * cols; start += block * 3) {
                for (int n : new int[] {block, block * 5, d.quantized() ? 64 : 13}) {
                    if (start + n > rows * cols) continue;
                    float[] got = new float[n + 1];
                    Dequant.row(d, t.data(), start, n, got, 1);
                    for (int i = 0; i < n; i++) {
                        assertThat(got[1 + i]).as("%s element %d", d, start + i).isEqualTo(want[start + i]);
                    }
                }
            }
        }
    }
}
