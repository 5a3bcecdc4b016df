package dev.jlava.io;

import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader for llama.cpp's GGUF (versions 2 and 3): magic "GGUF", version, tensor count, metadata
 * count, metadata key/values, tensor infos, padding to {@code general.alignment}, tensor data.
 * The file is memory-mapped once; tensors are slices with shape reversed into outermost-first order.
 *
 * <p>Metadata values: integers as Integer (8/16/32-bit signed, 8/16-bit unsigned) or Long (uint32,
 * 64-bit), Float, Double, Boolean, String; arrays as String[], int[] (int32/uint32), float[], long[],
 * double[], byte[] (int8/uint8), short[], boolean[], or Object[] for arrays of arrays.
 */
public final class Gguf implements WeightStore {
    public static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    static final int DEFAULT_ALIGNMENT = 32;

    private final Path file;
    private final Arena arena;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, Tensor> tensors;

    private Gguf(Path file, Arena arena, int version, Map<String, Object> metadata, Map<String, Tensor> tensors) {
        this.file = file;
        this.arena = arena;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    public static Gguf open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            return new Parser(file, seg).parse(arena);
        } catch (IOException e) {
            arena.close();
            throw new ModelFileException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path file() { return file; }

    public int version() { return version; }

    public Map<String, Object> metadata() { return Collections.unmodifiableMap(metadata); }

    public boolean hasKey(String key) { return metadata.containsKey(key); }

    public Object value(String key) {
        Object v = metadata.get(key);
        if (v == null) throw new ModelFileException(file, "missing metadata key '" + key + "'");
        return v;
    }

    public String getString(String key) {
        Object v = value(key);
        if (v instanceof String s) return s;
        throw new ModelFileException(file, "metadata '" + key + "' is " + typeName(v) + ", expected a string");
    }

    public String getString(String key, String dflt) { return hasKey(key) ? getString(key) : dflt; }

    public long getLong(String key) {
        Object v = value(key);
        if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
        throw new ModelFileException(file, "metadata '" + key + "' is " + typeName(v) + ", expected an integer");
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new ModelFileException(file, "metadata '" + key + "' = " + v + " is out of range");
        return (int) v;
    }

    public int getInt(String key, int dflt) { return hasKey(key) ? getInt(key) : dflt; }

    public double getDouble(String key) {
        Object v = value(key);
        if (v instanceof Number n) return n.doubleValue();
        throw new ModelFileException(file, "metadata '" + key + "' is " + typeName(v) + ", expected a number");
    }

    public double getDouble(String key, double dflt) { return hasKey(key) ? getDouble(key) : dflt; }

    public boolean getBool(String key, boolean dflt) {
        if (!hasKey(key)) return dflt;
        Object v = value(key);
        if (v instanceof Boolean b) return b;
        throw new ModelFileException(file, "metadata '" + key + "' is " + typeName(v) + ", expected a bool");
    }

    public String[] getStringArray(String key) {
        Object v = value(key);
        if (v instanceof String[] a) return a;
        throw new ModelFileException(file, "metadata '" + key + "' is " + typeName(v) + ", expected an array of strings");
    }

    public int[] getIntArray(String key) {
        Object v = value(key);
        if (v instanceof int[] a) return a;
        throw new ModelFileException(file, "metadata '" + key + "' is " + typeName(v) + ", expected an int32 array");
    }

    public float[] getFloatArray(String key) {
        Object v = value(key);
        if (v instanceof float[] a) return a;
        throw new ModelFileException(file, "metadata '" + key + "' is " + typeName(v) + ", expected a float32 array");
    }

    static String typeName(Object v) {
        if (v == null) return "absent";
        if (v.getClass().isArray()) return "an array of " + v.getClass().getComponentType().getSimpleName();
        return "a " + v.getClass().getSimpleName();
    }

    public List<Tensor> tensors() { return List.copyOf(tensors.values()); }

    @Override
    public Set<String> names() { return tensors.keySet(); }

    @Override
    public boolean has(String name) { return tensors.containsKey(name); }

    @Override
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFileException(file, "missing tensor '" + name + "'");
        return t;
    }

    @Override
    public Path fileOf(String name) { return file; }

    @Override
    public void close() { arena.close(); }

    /** Bounds-checked cursor over the mapped header. */
    private static final class Parser {
        private final Path file;
        private final MemorySegment seg;
        private final long size;
        private long pos;

        Parser(Path file, MemorySegment seg) {
            this.file = file;
            this.seg = seg;
            this.size = seg.byteSize();
        }

        private void need(long n, String what) {
            if (n < 0 || pos + n > size) {
                throw new ModelFileException(file, "truncated: " + what + " at byte " + pos + " needs " + n
                        + " bytes but the file has " + size);
            }
        }

        private int u8(String what) { need(1, what); return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xff; }

        private short i16(String what) { need(2, what); short v = seg.get(Tensor.I16_LE, pos); pos += 2; return v; }

        private int i32(String what) { need(4, what); int v = seg.get(Tensor.I32_LE, pos); pos += 4; return v; }

        private long i64(String what) { need(8, what); long v = seg.get(Tensor.I64_LE, pos); pos += 8; return v; }

        private String str(String what) {
            long n = i64(what + " length");
            if (n < 0 || n > size - pos) {
                throw new ModelFileException(file, what + ": string length " + Long.toUnsignedString(n) + " at byte " + (pos - 8)
                        + " runs beyond the end of the file (" + size + " bytes)");
            }
            byte[] b = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }

        private long count(String what, long elemMinBytes) {
            long n = i64(what);
            if (n < 0 || (elemMinBytes > 0 && n > (size - pos) / elemMinBytes)) {
                throw new ModelFileException(file, what + " " + Long.toUnsignedString(n) + " cannot fit in the " + (size - pos)
                        + " bytes left of a " + size + "-byte file (truncated file or absurd count)");
            }
            return n;
        }

        Gguf parse(Arena arena) {
            if (size < 4) throw new ModelFileException(file, "truncated: " + size + " bytes, not a GGUF file");
            int magic = i32("magic");
            if (magic != MAGIC) {
                throw new ModelFileException(file, String.format("bad magic 0x%08x (expected \"GGUF\"); not a GGUF file", magic));
            }
            int version = i32("version");
            if (version != 2 && version != 3) {
                throw new ModelFileException(file, "unsupported GGUF version " + version + " (supported: 2, 3)");
            }
            long nTensors = count("tensor count", 8 + 4 + 8 + 4 + 8);
            long nKv = count("metadata count", 8 + 4);
            Map<String, Object> meta = new LinkedHashMap<>();
            for (long i = 0; i < nKv; i++) {
                String key = str("metadata key #" + i);
                int type = i32("type of '" + key + "'");
                meta.put(key, value(type, key));
            }
            int alignment = DEFAULT_ALIGNMENT;
            Object al = meta.get("general.alignment");
            if (al != null) {
                if (!(al instanceof Number n) || n.longValue() <= 0 || n.longValue() > (1 << 20) || Long.bitCount(n.longValue()) != 1) {
                    throw new ModelFileException(file, "metadata 'general.alignment' = " + al + " is not a power of two");
                }
                alignment = ((Number) al).intValue();
            }
            record Info(String name, DType type, long[] shape, long offset, long bytes) {}
            List<Info> infos = new ArrayList<>();
            for (long i = 0; i < nTensors; i++) {
                String name = str("tensor #" + i + " name");
                int nDims = i32("n_dims of tensor '" + name + "'");
                if (nDims < 1 || nDims > 4) throw new ModelFileException(file, "tensor '" + name + "': n_dims " + nDims + " (must be 1..4)");
                long[] ne = new long[nDims];
                for (int d = 0; d < nDims; d++) {
                    ne[d] = i64("ne[" + d + "] of tensor '" + name + "'");
                    if (ne[d] < 0) throw new ModelFileException(file, "tensor '" + name + "': negative dimension " + ne[d]);
                }
                int typeId = i32("type of tensor '" + name + "'");
                DType type = DType.fromGgml(typeId);
                if (type == null) {
                    throw new ModelFileException(file, "tensor '" + name + "': unknown or unsupported ggml type " + typeId
                            + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K, I8, I16, I32, I64, F64)");
                }
                long offset = i64("offset of tensor '" + name + "'");
                long[] shape = new long[nDims];
                for (int d = 0; d < nDims; d++) shape[d] = ne[nDims - 1 - d];
                if (ne[0] % type.blockSize() != 0) {
                    throw new ModelFileException(file, "tensor '" + name + "': ne[0] = " + ne[0] + " is not a multiple of the "
                            + type + " block size " + type.blockSize());
                }
                long bytes;
                try {
                    bytes = type.bytesFor(Tensor.numel(shape));
                } catch (ArithmeticException e) {
                    throw new ModelFileException(file, "tensor '" + name + "': shape overflows");
                }
                if (offset < 0 || offset % alignment != 0) {
                    throw new ModelFileException(file, "tensor '" + name + "': offset " + offset + " is not a multiple of the alignment " + alignment);
                }
                infos.add(new Info(name, type, shape, offset, bytes));
            }
            long dataStart = (pos + alignment - 1) / alignment * alignment;
            if (nTensors > 0 && dataStart > size) {
                throw new ModelFileException(file, "truncated: tensor data would start at byte " + dataStart + " but the file has " + size);
            }
            long dataLen = Math.max(0, size - dataStart);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Info t : infos) {
                if (t.offset() > dataLen || t.bytes() > dataLen - t.offset()) {
                    throw new ModelFileException(file, "tensor '" + t.name() + "': bytes " + t.offset() + ".." + (t.offset() + t.bytes())
                            + " of the data lie outside the " + dataLen + " data bytes (truncated file or lying header)");
                }
                if (tensors.containsKey(t.name())) throw new ModelFileException(file, "tensor '" + t.name() + "' appears twice");
                tensors.put(t.name(), new Tensor(t.name(), t.type(), t.shape(), seg.asSlice(dataStart + t.offset(), t.bytes())));
            }
            List<Info> sorted = new ArrayList<>(infos);
            sorted.sort(Comparator.comparingLong(Info::offset));
            for (int i = 1; i < sorted.size(); i++) {
                Info a = sorted.get(i - 1), b = sorted.get(i);
                if (a.bytes() > 0 && b.bytes() > 0 && b.offset() < a.offset() + a.bytes()) {
                    throw new ModelFileException(file, "tensors '" + a.name() + "' and '" + b.name() + "' overlap in the data section");
                }
            }
            return new Gguf(file, arena, version, meta, tensors);
        }

        private Object value(int type, String key) {
            return switch (type) {
                case 0 -> u8(key);
                case 1 -> (int) (byte) u8(key);
                case 2 -> i16(key) & 0xffff;
                case 3 -> (int) i16(key);
                case 4 -> i32(key) & 0xffffffffL;
                case 5 -> i32(key);
                case 6 -> Float.intBitsToFloat(i32(key));
                case 7 -> {
                    int b = u8(key);
                    if (b > 1) throw new ModelFileException(file, "metadata '" + key + "': bool value " + b);
                    yield b == 1;
                }
                case 8 -> str("metadata '" + key + "'");
                case 9 -> array(key);
                case 10, 11 -> i64(key);
                case 12 -> Double.longBitsToDouble(i64(key));
                default -> throw new ModelFileException(file, "metadata '" + key + "': unknown value type " + type);
            };
        }

        private Object array(String key) {
            int et = i32("element type of '" + key + "'");
            int elemMin = switch (et) {
                case 0, 1, 7 -> 1; case 2, 3 -> 2; case 4, 5, 6 -> 4; case 8, 10, 11, 12 -> 8; case 9 -> 12;
                default -> throw new ModelFileException(file, "metadata '" + key + "': unknown array element type " + et);
            };
            long n = count("array length of '" + key + "'", elemMin);
            if (n > Integer.MAX_VALUE - 16) throw new ModelFileException(file, "metadata '" + key + "': array of " + n + " elements is too long");
            int len = (int) n;
            switch (et) {
                case 8 -> {
                    String[] a = new String[len];
                    for (int i = 0; i < len; i++) a[i] = str("metadata '" + key + "'[" + i + "]");
                    return a;
                }
                case 4, 5 -> {
                    int[] a = new int[len];
                    MemorySegment.copy(seg, Tensor.I32_LE, pos, a, 0, len);
                    pos += 4L * len;
                    return a;
                }
                case 6 -> {
                    float[] a = new float[len];
                    MemorySegment.copy(seg, Tensor.F32_LE, pos, a, 0, len);
                    pos += 4L * len;
                    return a;
                }
                case 0, 1 -> {
                    byte[] a = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
                    pos += len;
                    return a;
                }
                case 7 -> {
                    boolean[] a = new boolean[len];
                    for (int i = 0; i < len; i++) a[i] = u8(key) != 0;
                    return a;
                }
                case 2, 3 -> {
                    short[] a = new short[len];
                    for (int i = 0; i < len; i++) a[i] = i16(key);
                    return a;
                }
                case 10, 11 -> {
                    long[] a = new long[len];
                    for (int i = 0; i < len; i++) a[i] = i64(key);
                    return a;
                }
                case 12 -> {
                    double[] a = new double[len];
                    for (int i = 0; i < len; i++) a[i] = Double.longBitsToDouble(i64(key));
                    return a;
                }
                default -> { // 9: arrays of arrays
                    Object[] a = new Object[len];
                    for (int i = 0; i < len; i++) a[i] = array(key + "[" + i + "]");
                    return a;
                }
            }
        }
    }
}
