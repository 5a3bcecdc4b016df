package dev.jlava.tensor;

/**
 * Element types of stored weights. Block-quantized types store {@link #blockSize()} values in
 * {@link #blockBytes()} bytes along the innermost dimension.
 */
public enum DType {
    F64(8, 1, 28), F32(4, 1, 0), F16(2, 1, 1), BF16(2, 1, 30),
    I64(8, 1, 27), I32(4, 1, 26), I16(2, 1, 25), I8(1, 1, 24), U8(1, 1, -1), BOOL(1, 1, -1),
    /** llama.cpp Q8_0: per 32 values an F16 scale d then 32 int8; value = d * q. */
    Q8_0(34, 32, 8),
    /** llama.cpp Q4_0: per 32 values an F16 scale d then 16 bytes; low nibbles are values 0..15, high 16..31; value = d * (nibble - 8). */
    Q4_0(18, 32, 2),
    /** llama.cpp Q4_K: super-blocks of 256 values (d, dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles). */
    Q4_K(144, 256, 12),
    /** llama.cpp Q6_K: super-blocks of 256 values (128 low nibbles, 64 high 2-bit pairs, 16 int8 scales, F16 d). */
    Q6_K(210, 256, 14);

    private final int blockBytes;
    private final int blockSize;
    private final int ggmlType;

    DType(int blockBytes, int blockSize, int ggmlType) {
        this.blockBytes = blockBytes;
        this.blockSize = blockSize;
        this.ggmlType = ggmlType;
    }

    public int blockBytes() { return blockBytes; }

    public int blockSize() { return blockSize; }

    public boolean quantized() { return blockSize > 1; }

    /** The ggml type id, or -1 when GGUF has no such type. */
    public int ggmlType() { return ggmlType; }

    /** Bytes of {@code count} elements; count must be a multiple of the block size. */
    public long bytesFor(long count) {
        return Math.multiplyExact(count / blockSize, (long) blockBytes);
    }

    public static DType fromGgml(int type) {
        for (DType t : values()) if (t.ggmlType == type) return t;
        return null;
    }

    /** safetensors dtype names ("F32", "BF16", ...); null when unknown. */
    public static DType fromSafetensors(String name) {
        return switch (name) {
            case "F64" -> F64; case "F32" -> F32; case "F16" -> F16; case "BF16" -> BF16;
            case "I64" -> I64; case "I32" -> I32; case "I16" -> I16; case "I8" -> I8;
            case "U8" -> U8; case "BOOL" -> BOOL;
            default -> null;
        };
    }
}
