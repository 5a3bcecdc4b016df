package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Half;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Exact checks of the quantization rules: the activation quantizer against a plain scalar
 * transcription of llama.cpp's rule, and WeightCodec's bytes against the rules and the
 * project's independent scalar decoder (Quants).
 */
class QuantizationTest {
    /** llama.cpp's activation rule, scalar: d = f16(amax/127), q = rint(x * (127/amax)). */
    static byte[] scalarQ8Activation(float[] x, int off, int k) {
        byte[] out = new byte[k / 32 * 34];
        for (int b = 0; b < k / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[off + 32 * b + j]));
            float id = amax != 0 ? 127f / amax : 0f;
            short d = Float.floatToFloat16(amax / 127f);
            out[34 * b] = (byte) d;
            out[34 * b + 1] = (byte) (d >> 8);
            for (int j = 0; j < 32; j++) out[34 * b + 2 + j] = (byte) Math.rint(x[off + 32 * b + j] * id);
        }
        return out;
    }

    @Property(tries = 200)
    void activationBytesEqualTheScalarRule(@ForAll @IntRange(min = 1, max = 40) int blocks, @ForAll long seed,
                                           @ForAll @IntRange(min = 0, max = 3) int kind) {
        Random rnd = new Random(seed);
        int k = 32 * blocks, off = rnd.nextInt(5);
        float[] x = new float[off + k];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (kind) {
                case 0 -> (float) rnd.nextGaussian();
                case 1 -> (float) (rnd.nextGaussian() * 1e-6);
                case 2 -> rnd.nextInt(9) - 4; // integers: many exact .5 ties after scaling
                default -> rnd.nextInt(4) == 0 ? 0f : (float) (rnd.nextGaussian() * 300);
            };
        }
        if (blocks > 1) for (int j = 0; j < 32; j++) x[off + 32 + j] = 0; // a zero block
        byte[] want = scalarQ8Activation(x, off, k);
        assertThat(Q8Activations.quantizeToBlocks(x, off, k)).isEqualTo(want);
        // The short[] form the GEMV kernels read holds the same q and d.
        short[] q = new short[k + 3];
        float[] d = new float[k / 32 + 1];
        Q8Activations.quantize(x, off, k, q, 3, d, 1);
        for (int b = 0; b < k / 32; b++) {
            assertThat(Float.floatToFloat16(d[1 + b])).isEqualTo((short) ((want[34 * b] & 0xff) | want[34 * b + 1] << 8));
            for (int j = 0; j < 32; j++) assertThat(q[3 + 32 * b + j]).isEqualTo((short) want[34 * b + 2 + j]);
        }
    }

    @Test
    void tiesRoundToEven() {
        // amax = 127 makes the multiplier exactly 1, so x = 0.5, 1.5, 2.5, -2.5 are ties.
        float[] x = new float[32];
        x[0] = 127;
        x[1] = 0.5f;
        x[2] = 1.5f;
        x[3] = 2.5f;
        x[4] = -2.5f;
        byte[] q = Q8Activations.quantizeToBlocks(x, 0, 32);
        assertThat(new byte[] {q[2], q[3], q[4], q[5], q[6]}).containsExactly(127, 0, 2, 2, -2);
    }

    @Test
    void quantizeDequantizeIsQTimesD() {
        Random rnd = new Random(3);
        float[] x = Naive.gaussian(rnd, 96, 2);
        float[] out = new float[96], d = new float[3];
        Q8Activations.quantizeDequantize(x, 0, 96, out, 0, d);
        assertThat(out).containsExactly(Naive.q8RoundTrip(x, 0, 96));
    }

    @Property(tries = 100)
    void q8_0WeightsFollowTheReferenceQuantizer(@ForAll long seed) {
        Random rnd = new Random(seed);
        float[] v = Naive.gaussian(rnd, 64, rnd.nextDouble() * 3);
        v[5] = 0.5f * Math.abs(v[5]); // keep some values near ties
        byte[] got = WeightCodec.quantizeQ8_0(v, 2, 32);
        for (int b = 0; b < 2; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(v[32 * b + j]));
            float d = amax / 127, id = d != 0 ? 1 / d : 0;
            assertThat((short) ((got[34 * b] & 0xff) | got[34 * b + 1] << 8)).isEqualTo(Half.f32ToF16(d));
            for (int j = 0; j < 32; j++) {
                double s = v[32 * b + j] * id; // float product, then C roundf: halves away from zero
                long want = (long) (Math.signum(s) * Math.floor(Math.abs(s) + 0.5));
                assertThat(got[34 * b + 2 + j]).isEqualTo((byte) want);
            }
        }
        // And the independent decoder reads back values within half a step plus 127 times the F16
        // rounding error of d: relative 2^-11 when d is a normal half, absolute 2^-25 (half the
        // subnormal spacing) when it is below 2^-14.
        Tensor t = new Tensor("w", DType.Q8_0, new long[] {2, 32}, MemorySegment.ofArray(got));
        for (int i = 0; i < 64; i++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(v[i / 32 * 32 + j]));
            double d = amax / 127.0;
            double halfRounding = Math.max(d * 0x1p-11, 0x1p-25);
            assertThat((double) Math.abs(t.getFloat(i) - v[i])).isLessThanOrEqualTo(d * (0.5 + 1e-3) + 127 * halfRounding);
        }
    }

    @Property(tries = 100)
    void q4_0WeightsFollowTheReferenceQuantizer(@ForAll long seed) {
        Random rnd = new Random(seed);
        float[] v = Naive.gaussian(rnd, 64, rnd.nextDouble() * 3 + 1e-3);
        byte[] got = WeightCodec.quantizeQ4_0(v, 2, 32);
        Tensor t = new Tensor("w", DType.Q4_0, new long[] {2, 32}, MemorySegment.ofArray(got));
        for (int b = 0; b < 2; b++) {
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) {
                if (Math.abs(v[32 * b + j]) > amax) {
                    amax = Math.abs(v[32 * b + j]);
                    max = v[32 * b + j];
                }
            }
            float d = max / -8, id = d != 0 ? 1 / d : 0;
            assertThat((short) ((got[18 * b] & 0xff) | got[18 * b + 1] << 8)).isEqualTo(Half.f32ToF16(d));
            for (int j = 0; j < 32; j++) {
                int want = Math.min(15, (int) (v[32 * b + j] * id + 8.5f));
                int nib = j < 16 ? got[18 * b + 2 + j] & 0x0f : (got[18 * b + 2 + j - 16] >> 4) & 0x0f;
                assertThat(nib).as("block %d value %d", b, j).isEqualTo(want);
                float dq = Half.f16ToF32(Half.f32ToF16(d)) * (want - 8);
                assertThat(t.getFloat(32 * b + j)).isEqualTo(dq);
            }
        }
    }

    @Test
    void halfPrecisionEncodingsRoundToNearestEven() {
        float[] v = {1f, -2.5f, 65504f, 1e-7f, Float.NaN, 3.0001f, 1 + 0x1p-11f, 1 + 0x1p-8f};
        byte[] f16 = WeightCodec.toF16(v), bf16 = WeightCodec.toBF16(v), f32 = WeightCodec.toF32(v);
        for (int i = 0; i < v.length; i++) {
            short h = (short) ((f16[2 * i] & 0xff) | f16[2 * i + 1] << 8);
            short b = (short) ((bf16[2 * i] & 0xff) | bf16[2 * i + 1] << 8);
            int f = (f32[4 * i] & 0xff) | (f32[4 * i + 1] & 0xff) << 8 | (f32[4 * i + 2] & 0xff) << 16 | f32[4 * i + 3] << 24;
            assertThat(h).isEqualTo(Float.floatToFloat16(v[i]));
            assertThat(b).isEqualTo(Half.f32ToBf16(v[i]));
            assertThat(f).isEqualTo(Float.floatToRawIntBits(v[i]));
        }
        assertThat(Half.f16ToF32((short) ((f16[12] & 0xff) | f16[13] << 8))).isEqualTo(1f); // tie 1 + 2^-11 -> even (1)
        assertThat(Half.bf16ToF32((short) ((bf16[14] & 0xff) | bf16[15] << 8))).isEqualTo(1f); // tie 1 + 2^-8 -> even (1)
    }
}
