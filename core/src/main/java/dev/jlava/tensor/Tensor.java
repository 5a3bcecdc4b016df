package dev.jlava.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named, typed view over stored bytes (usually a slice of a memory-mapped file).
 * {@code shape} is outermost-first as in PyTorch/safetensors: a linear weight is
 * {@code [out_features, in_features]} and the innermost dimension is contiguous (GGUF's ne[0]).
 */
public final class Tensor {
    public static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final MemorySegment data;

    public Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        long expected = dtype.bytesFor(numel(shape));
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.byteSize() + " bytes for shape "
                    + Arrays.toString(shape) + " " + dtype + " (expected " + expected + ")");
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Wraps a float array (heap) as an F32 tensor; used by tests and in-memory models. */
    public static Tensor ofFloats(String name, float[] values, long... shape) {
        MemorySegment seg = MemorySegment.ofArray(values);
        return new Tensor(name, DType.F32, shape, seg);
    }

    public String name() { return name; }

    public DType dtype() { return dtype; }

    public long[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public long dim(int i) { return shape[i]; }

    public long numel() { return numel(shape); }

    public MemorySegment data() { return data; }

    /** Rows of a matrix view: all dims but the innermost, multiplied. */
    public long rows() { return shape.length == 0 ? 1 : numel() / shape[shape.length - 1]; }

    /** Innermost (contiguous) dimension. */
    public long cols() { return shape.length == 0 ? 1 : shape[shape.length - 1]; }

    /** Element {@code i} (flat index) as float, dequantizing when needed. Slow; for loaders and tests. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.get(F32_LE, i * 4);
            case F16 -> Half.f16ToF32(data.get(I16_LE, i * 2));
            case BF16 -> Half.bf16ToF32(data.get(I16_LE, i * 2));
            case F64 -> (float) data.get(F64_LE, i * 8);
            case I64 -> data.get(I64_LE, i * 8);
            case I32 -> data.get(I32_LE, i * 4);
            case I16 -> data.get(I16_LE, i * 2);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xff;
            case Q8_0, Q4_0, Q4_K, Q6_K -> Quants.dequantize(dtype, data, i);
        };
    }

    /** Element {@code i} as double (exact for F64/I64 storage). */
    public double getDouble(long i) {
        return switch (dtype) {
            case F64 -> data.get(F64_LE, i * 8);
            case I64 -> data.get(I64_LE, i * 8);
            default -> getFloat(i);
        };
    }

    public long getLong(long i) {
        return switch (dtype) {
            case I64 -> data.get(I64_LE, i * 8);
            case I32 -> data.get(I32_LE, i * 4);
            default -> (long) getDouble(i);
        };
    }

    /** All elements as float32 (a heap copy: for small tensors, norms, biases, tests). */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 16) throw new IllegalStateException("tensor " + name + " too large for an array");
        float[] out = new float[(int) n];
        if (dtype == DType.F32) {
            MemorySegment.copy(data, F32_LE, 0, out, 0, out.length);
        } else if (dtype.quantized()) {
            Quants.dequantizeRange(dtype, data, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) out[i] = getFloat(i);
        }
        return out;
    }

    public double[] toDoubleArray() {
        double[] out = new double[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) out[i] = getDouble(i);
        return out;
    }

    public long[] toLongArray() {
        long[] out = new long[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) out[i] = getLong(i);
        return out;
    }

    public int[] toIntArray() {
        int[] out = new int[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(getLong(i));
        return out;
    }

    /** Row {@code r} of the matrix view, dequantized into {@code out[off..off+cols)}. */
    public void rowToFloats(long r, float[] out, int off) {
        int c = Math.toIntExact(cols());
        long start = r * c;
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32_LE, start * 4, out, off, c);
            case Q8_0, Q4_0, Q4_K, Q6_K -> Quants.dequantizeRange(dtype, data, start, out, off, c);
            default -> { for (int i = 0; i < c; i++) out[off + i] = getFloat(start + i); }
        }
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}
