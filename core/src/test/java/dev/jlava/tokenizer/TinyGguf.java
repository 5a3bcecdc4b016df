package dev.jlava.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a metadata-only GGUF v3 file (no tensors) for loader tests: String, Integer (int32), Boolean, String[], int[], float[]. */
final class TinyGguf {
    private final Map<String, Object> kv = new LinkedHashMap<>();

    TinyGguf put(String key, Object value) {
        kv.put(key, value);
        return this;
    }

    Path write(Path file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u32(out, 0x46554747);
        u32(out, 3);
        u64(out, 0);
        u64(out, kv.size());
        for (var e : kv.entrySet()) {
            str(out, e.getKey());
            Object v = e.getValue();
            switch (v) {
                case String s -> { u32(out, 8); str(out, s); }
                case Integer i -> { u32(out, 5); u32(out, i); }
                case Boolean b -> { u32(out, 7); out.write(b ? 1 : 0); }
                case String[] a -> { u32(out, 9); u32(out, 8); u64(out, a.length); for (String s : a) str(out, s); }
                case int[] a -> { u32(out, 9); u32(out, 5); u64(out, a.length); for (int x : a) u32(out, x); }
                case float[] a -> { u32(out, 9); u32(out, 6); u64(out, a.length); for (float x : a) u32(out, Float.floatToIntBits(x)); }
                default -> throw new IllegalArgumentException(v.getClass().toString());
            }
        }
        Files.write(file, out.toByteArray());
        return file;
    }

    private static void u32(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static void u64(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    private static void str(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(out, b.length);
        out.writeBytes(b);
    }
}
