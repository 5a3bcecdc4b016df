package dev.jlava.kernel;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Half;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts a float matrix {@code [rows][cols]} into the exact stored bytes of another dtype
 * (little-endian, GGUF block layout), for in-memory models, tests and benchmarks.
 *
 * <p>Rounding rules are the producers': F16 and BF16 round to nearest even (numpy / PyTorch
 * casts); Q8_0 and Q4_0 follow llama.cpp's reference quantizer (the one llama-quantize uses for
 * weights), which differs from the activation quantizer in {@link Q8Activations}:
 * <ul>
 *   <li>Q8_0: {@code d = amax/127}, {@code q = round-half-away(x * (1/d))}, 0 when d = 0.</li>
 *   <li>Q4_0: {@code d = m / -8} where m is the value of largest magnitude (sign kept, first one
 *       on ties), {@code nibble = min(15, trunc(x * (1/d) + 8.5))}; value j in the low nibble of
 *       byte j, value j+16 in its high nibble.</li>
 * </ul>
 */
public final class WeightCodec {
    private WeightCodec() {}

    /** Encodes {@code values} ([rows][cols], row-major) as {@code dtype} bytes. */
    public static byte[] encode(DType dtype, float[] values, int rows, int cols) {
        checkShape(values, rows, cols);
        return switch (dtype) {
            case F32 -> toF32(values);
            case F16 -> toF16(values);
            case BF16 -> toBF16(values);
            case Q8_0 -> quantizeQ8_0(values, rows, cols);
            case Q4_0 -> quantizeQ4_0(values, rows, cols);
            default -> throw new IllegalArgumentException("cannot encode weights as " + dtype);
        };
    }

    /** A tensor {@code [rows][cols]} of {@code dtype} over a fresh heap copy of the encoded bytes. */
    public static Tensor tensor(String name, DType dtype, float[] values, int rows, int cols) {
        byte[] bytes = encode(dtype, values, rows, cols);
        return new Tensor(name, dtype, new long[] {rows, cols}, MemorySegment.ofArray(bytes));
    }

    public static byte[] toF32(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    public static byte[] toF16(float[] v) {
        byte[] out = new byte[v.length * 2];
        for (int i = 0; i < v.length; i++) putShort(out, 2 * i, Half.f32ToF16(v[i]));
        return out;
    }

    public static byte[] toBF16(float[] v) {
        byte[] out = new byte[v.length * 2];
        for (int i = 0; i < v.length; i++) putShort(out, 2 * i, Half.f32ToBf16(v[i]));
        return out;
    }

    public static byte[] quantizeQ8_0(float[] v, int rows, int cols) {
        checkBlocks(v, rows, cols);
        byte[] out = new byte[v.length / 32 * 34];
        for (int b = 0, o = 0; b < v.length; b += 32, o += 34) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(v[b + j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putShort(out, o, Half.f32ToF16(d));
            for (int j = 0; j < 32; j++) out[o + 2 + j] = (byte) roundHalfAway(v[b + j] * id);
        }
        return out;
    }

    public static byte[] quantizeQ4_0(float[] v, int rows, int cols) {
        checkBlocks(v, rows, cols);
        byte[] out = new byte[v.length / 32 * 18];
        for (int b = 0, o = 0; b < v.length; b += 32, o += 18) {
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) {
                float a = Math.abs(v[b + j]);
                if (amax < a) {
                    amax = a;
                    max = v[b + j];
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putShort(out, o, Half.f32ToF16(d));
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (v[b + j] * id + 8.5f));
                int hi = Math.min(15, (int) (v[b + 16 + j] * id + 8.5f));
                out[o + 2 + j] = (byte) (lo | hi << 4);
            }
        }
        return out;
    }

    /** C's roundf; Java's Math.round rounds halves up, not away from zero. Exact via double. */
    static int roundHalfAway(float x) {
        return (int) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
    }

    private static void putShort(byte[] out, int at, short s) {
        out[at] = (byte) s;
        out[at + 1] = (byte) (s >> 8);
    }

    private static void checkShape(float[] v, int rows, int cols) {
        if (rows < 0 || cols < 0 || (long) rows * cols != v.length) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " does not match " + v.length + " values");
        }
    }

    private static void checkBlocks(float[] v, int rows, int cols) {
        checkShape(v, rows, cols);
        if (cols % 32 != 0) throw new IllegalArgumentException("block-quantized rows need a multiple of 32 columns, have " + cols);
    }
}
