package dev.jlava.io;

import dev.jlava.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files (metadata + tensors), for fixtures that build real-format models and for
 * tools. Value types follow the Java type: Integer -> int32, Long -> uint64, Float -> float32,
 * Double -> float64, Boolean -> bool, String -> string, String[]/int[]/float[] -> arrays; use
 * {@link #putU32} for uint32 keys such as token ids.
 */
public final class GgufWriter {
    private record TensorEntry(String name, DType type, long[] shape, byte[] data) {}

    private final Map<String, Object> meta = new LinkedHashMap<>();
    private final Map<String, Integer> forcedType = new LinkedHashMap<>();
    private final List<TensorEntry> tensors = new ArrayList<>();
    private int alignment = Gguf.DEFAULT_ALIGNMENT;

    public GgufWriter put(String key, Object value) {
        meta.put(key, value);
        return this;
    }

    public GgufWriter putU32(String key, long value) {
        meta.put(key, value);
        forcedType.put(key, 4);
        return this;
    }

    public GgufWriter alignment(int a) {
        this.alignment = a;
        meta.put("general.alignment", a);
        forcedType.put("general.alignment", 4);
        return this;
    }

    /** A tensor with shape outermost-first (as PyTorch); written as GGUF ne = reversed shape. */
    public GgufWriter tensor(String name, DType type, long[] shape, byte[] data) {
        tensors.add(new TensorEntry(name, type, shape.clone(), data));
        return this;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LE w = new LE(out);
        w.i32(Gguf.MAGIC);
        w.i32(3);
        w.i64(tensors.size());
        w.i64(meta.size());
        meta.forEach((k, v) -> {
            w.str(k);
            writeValue(w, v, forcedType.getOrDefault(k, -1));
        });
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (TensorEntry t : tensors) {
            w.str(t.name());
            w.i32(t.shape().length);
            for (int d = t.shape().length - 1; d >= 0; d--) w.i64(t.shape()[d]);
            w.i32(t.type().ggmlType());
            w.i64(offset);
            offsets.add(offset);
            offset += (t.data().length + alignment - 1) / alignment * alignment;
        }
        while (out.size() % alignment != 0) out.write(0);
        for (TensorEntry t : tensors) {
            out.writeBytes(t.data());
            int pad = (alignment - t.data().length % alignment) % alignment;
            for (int i = 0; i < pad; i++) out.write(0);
        }
        return out.toByteArray();
    }

    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, toBytes());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeValue(LE w, Object v, int forced) {
        if (forced == 4) { w.i32(4); w.i32((int) ((Number) v).longValue()); return; }
        switch (v) {
            case Integer i -> { w.i32(5); w.i32(i); }
            case Long l -> { w.i32(10); w.i64(l); }
            case Float f -> { w.i32(6); w.i32(Float.floatToRawIntBits(f)); }
            case Double d -> { w.i32(12); w.i64(Double.doubleToRawLongBits(d)); }
            case Boolean b -> { w.i32(7); w.u8(b ? 1 : 0); }
            case String s -> { w.i32(8); w.str(s); }
            case String[] a -> { w.i32(9); w.i32(8); w.i64(a.length); for (String s : a) w.str(s); }
            case int[] a -> { w.i32(9); w.i32(5); w.i64(a.length); for (int x : a) w.i32(x); }
            case float[] a -> { w.i32(9); w.i32(6); w.i64(a.length); for (float x : a) w.i32(Float.floatToRawIntBits(x)); }
            default -> throw new IllegalArgumentException("no GGUF type for " + v.getClass());
        }
    }

    private record LE(OutputStream out) {
        void u8(int b) { try { out.write(b); } catch (IOException e) { throw new IllegalStateException(e); } }
        void i32(int v) { bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array()); }
        void i64(long v) { bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array()); }
        void str(String s) { byte[] b = s.getBytes(StandardCharsets.UTF_8); i64(b.length); bytes(b); }
        void bytes(byte[] b) { try { out.write(b); } catch (IOException e) { throw new IllegalStateException(e); } }
    }
}
