package dev.jlava.tensor;

/** IEEE half and bfloat16 conversions (exact, including subnormals, inf and NaN). */
public final class Half {
    private Half() {}

    public static float f16ToF32(short h) {
        return Float.float16ToFloat(h);
    }

    public static short f32ToF16(float f) {
        return Float.floatToFloat16(f);
    }

    public static float bf16ToF32(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** Round-to-nearest-even, as PyTorch's float32 to bfloat16 cast. */
    public static short f32ToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
