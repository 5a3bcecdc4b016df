package dev.jlava.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlava.tensor.DType;
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
 * Writes safetensors files (used by {@code jlava reduce} and by test fixtures that build real-format
 * checkpoints). Writes to a temporary file and renames, so a failure never leaves a partial file.
 */
public final class SafetensorsWriter {
    private record Entry(String name, DType dtype, long[] shape, byte[] bytes) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter add(String name, DType dtype, long[] shape, byte[] littleEndianBytes) {
        entries.add(new Entry(name, dtype, shape.clone(), littleEndianBytes));
        return this;
    }

    public SafetensorsWriter addF32(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return add(name, DType.F32, shape, b.array());
    }

    public SafetensorsWriter addF16(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        return add(name, DType.F16, shape, b.array());
    }

    public SafetensorsWriter addBF16(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort(dev.jlava.tensor.Half.f32ToBf16(v));
        return add(name, DType.BF16, shape, b.array());
    }

    public SafetensorsWriter addI64(String name, long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) b.putLong(v);
        return add(name, DType.I64, shape, b.array());
    }

    /** The header JSON (without padding) as it would be written. */
    public String headerJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = root.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long off = 0;
        for (Entry e : entries) {
            ObjectNode t = root.putObject(e.name());
            t.put("dtype", e.dtype().name());
            var sh = t.putArray("shape");
            for (long d : e.shape()) sh.add(d);
            var o = t.putArray("data_offsets");
            o.add(off);
            off += e.bytes().length;
            o.add(off);
        }
        return root.toString();
    }

    public void write(Path out) throws IOException {
        byte[] header = headerJson().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            os.write(len.array());
            os.write(header);
            for (int i = header.length; i < padded; i++) os.write(' ');
            for (Entry e : entries) os.write(e.bytes());
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
