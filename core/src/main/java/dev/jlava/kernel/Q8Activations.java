package dev.jlava.kernel;

import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * llama.cpp's Q8_0 quantization of a matmul's input row (what its CPU backend does before a dot
 * with Q8_0 or Q4_0 weights), per block of 32 values:
 * {@code amax = max|x|}, {@code d = f16(amax / 127)},
 * {@code q = round-half-even(x * (127 / amax))} in float32, and q = 0 when amax = 0.
 * Note the multiplier is {@code 127/amax}, not {@code 1/d}, and the rounding is half-to-even
 * (the AVX path), unlike the weight quantizer in {@link WeightCodec}.
 *
 * <p>The GEMV kernels read q as shorts and sum the block's integer products exactly. The GEMM
 * path uses {@code q * d} as a float, which is exact in float32 (8 + 11 significant bits), so
 * both compute the same block values.
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
            float id = blockScale(x, xOff + b, d, dOff + b / 32);
            for (int j = 0; j < 32; j += L) rounded(x, xOff + b + j, id).intoArray(q, qOff + b + j);
        }
    }

    /** The same quantization with q as shorts, the form the Q8_0/Q4_0 GEMV kernels read ({@link Gemv}). */
    public static void quantize(float[] x, int xOff, int k, short[] q, int qOff, float[] d, int dOff) {
        checkBlocks(k);
        for (int b = 0; b < k; b += 32) {
            float id = blockScale(x, xOff + b, d, dOff + b / 32);
            for (int j = 0; j < 32; j += L) {
                ((ShortVector) rounded(x, xOff + b + j, id).convertShape(VectorOperators.F2S, SHORTS, 0)).intoArray(q, qOff + b + j);
            }
        }
    }

    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));

    /** Writes block xb's scale d to d[dAt] and returns the multiplier 127 / amax (0 for an all-zero block). */
    private static float blockScale(float[] x, int xb, float[] d, int dAt) {
        // L is 4, 8 or 16 and divides the block.
        FloatVector m = FloatVector.fromArray(F, x, xb).abs();
        for (int j = L; j < 32; j += L) m = m.max(FloatVector.fromArray(F, x, xb + j).abs());
        float amax = m.reduceLanes(VectorOperators.MAX);
        d[dAt] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        return amax != 0 ? 127f / amax : 0f;
    }

    private static FloatVector rounded(float[] x, int at, float id) {
        return FloatVector.fromArray(F, x, at).mul(id).add(RINT_MAGIC).sub(RINT_MAGIC);
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

    /**
     * Spreads quantized values into the layout of {@link WideQuantDots#dot2Q4_0}: per block of
     * 32, {@code q[0..16)} twice, then {@code q[16..32)} twice (64 shorts), so one 512-bit vector
     * meets the low nibbles of two weight rows and the next one their high nibbles.
     */
    public static void halves(short[] q, int qOff, int k, short[] h, int hOff) {
        checkBlocks(k);
        for (int b = 0; b < k; b += 32) {
            int src = qOff + b, dst = hOff + 2 * b;
            System.arraycopy(q, src, h, dst, 16);
            System.arraycopy(q, src, h, dst + 16, 16);
            System.arraycopy(q, src + 16, h, dst + 32, 16);
            System.arraycopy(q, src + 16, h, dst + 48, 16);
        }
    }

    /**
     * Rows quantized for the GEMV kernels: q (k per row, as shorts), the block scales d (k / 32
     * per row) and, where the 512-bit Q4_0 dot is used, q in its {@link #halves} layout (2 k per
     * row; else empty).
     */
    public record Rows(short[] q, float[] d, short[] halves) {}

    private static void checkBlocks(int k) {
        if (k % 32 != 0) throw new IllegalArgumentException("Q8_0 activation rows need a multiple of 32 values, have " + k);
    }
}
