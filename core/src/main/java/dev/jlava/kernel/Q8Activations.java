package dev.jlava.kernel;

import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * llama.cpp's Q8_0 quantization of a matmul's input row (what its CPU backend does before a dot
 * with Q8_0 or Q4_0 weights), per block of 32 values:
 * {@code amax = max|x|}, {@code d = f16(amax / 127)},
 * {@code q = round-half-even(x * (127 / amax))} in float32, and q = 0 when amax = 0.
 * Note the multiplier is {@code 127/amax}, not {@code 1/d}, and the rounding is half-to-even
 * (the AVX path), unlike the weight quantizer in {@link WeightCodec}.
 *
 * <p>Kernels use the values as floats: q as an integer-valued float and d widened from F16, so
 * {@code q * d} is exact in float32 (8 + 11 significant bits) and sums of {@code q_w * q_x} over a
 * block are exact integers in float32 (|sum| <= 32 * 127 * 127 < 2^24).
 */
public final class Q8Activations {
    private Q8Activations() {}

    // Adding then subtracting 1.5 * 2^23 rounds a float of magnitude < 2^22 to an integer, half to even.
    private static final float RINT_MAGIC = 12582912f;

    /**
     * Quantizes {@code k} values (a multiple of 32) of x: {@code q[qOff + i]} receives the integer
     * q as a float, {@code d[dOff + i/32]} the block scale (F16-rounded, as float).
     */
    public static void quantize(float[] x, int xOff, int k, float[] q, int qOff, float[] d, int dOff) {
        checkBlocks(k);
        for (int b = 0; b < k; b += 32) {
            int xb = xOff + b;
            // L is 4, 8 or 16 and divides the block.
            FloatVector m = FloatVector.fromArray(F, x, xb).abs();
            for (int j = L; j < 32; j += L) m = m.max(FloatVector.fromArray(F, x, xb + j).abs());
            float amax = m.reduceLanes(VectorOperators.MAX);
            float id = amax != 0 ? 127f / amax : 0f;
            d[dOff + b / 32] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            for (int j = 0; j < 32; j += L) {
                FloatVector v = FloatVector.fromArray(F, x, xb + j).mul(id);
                v.add(RINT_MAGIC).sub(RINT_MAGIC).intoArray(q, qOff + b + j);
            }
        }
    }

    /** Quantizes and dequantizes: {@code out[i] = q_i * d_block} (exact in float32). */
    public static void quantizeDequantize(float[] x, int xOff, int k, float[] out, int outOff, float[] dScratch) {
        quantize(x, xOff, k, out, outOff, dScratch, 0);
        for (int b = 0; b < k; b += 32) {
            float db = dScratch[b / 32];
            for (int j = 0; j < 32; j += L) {
                FloatVector.fromArray(F, out, outOff + b + j).mul(db).intoArray(out, outOff + b + j);
            }
        }
    }

    /** The same quantization as GGUF Q8_0 block bytes (34 per 32 values), for tests and inspection. */
    public static byte[] quantizeToBlocks(float[] x, int xOff, int k) {
        checkBlocks(k);
        float[] q = new float[k];
        float[] d = new float[k / 32];
        quantize(x, xOff, k, q, 0, d, 0);
        byte[] out = new byte[k / 32 * 34];
        for (int b = 0; b < k / 32; b++) {
            short h = Float.floatToFloat16(d[b]);
            out[b * 34] = (byte) h;
            out[b * 34 + 1] = (byte) (h >> 8);
            for (int j = 0; j < 32; j++) out[b * 34 + 2 + j] = (byte) (int) q[b * 32 + j];
        }
        return out;
    }

    private static void checkBlocks(int k) {
        if (k % 32 != 0) throw new IllegalArgumentException("Q8_0 activation rows need a multiple of 32 values, have " + k);
    }
}
