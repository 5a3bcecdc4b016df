package dev.jlava.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader for the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then the data.
 * The whole file is memory-mapped once; tensors are slices. Every inconsistency is reported as a
 * {@link ModelFileException} naming file and tensor.
 */
public final class Safetensors implements WeightStore {
    /** Headers beyond this are not real checkpoints (the largest real ones are a few MiB). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private Safetensors(Path file, Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.file = file;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens one {@code .safetensors} file. */
    public static Safetensors open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            return read(file, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Opens a checkpoint folder or file: a single {@code model.safetensors}, a sharded checkpoint
     * ({@code model.safetensors.index.json}), or any lone {@code *.safetensors} file in the folder.
     */
    public static WeightStore openCheckpoint(Path path) {
        if (Files.isRegularFile(path)) {
            return path.getFileName().toString().endsWith(".index.json") ? ShardedSafetensors.open(path) : open(path);
        }
        Path index = path.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) return ShardedSafetensors.open(index);
        Path single = path.resolve("model.safetensors");
        if (Files.isRegularFile(single)) return open(single);
        try (var s = Files.list(path)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (found.size() == 1) return open(found.get(0));
            if (found.isEmpty()) throw new ModelFileException(path, "no model.safetensors, no model.safetensors.index.json and no *.safetensors file");
            throw new ModelFileException(path, found.size() + " *.safetensors files but no model.safetensors.index.json saying which tensor is where");
        } catch (IOException e) {
            throw new ModelFileException(path, "cannot list folder: " + e.getMessage(), e);
        }
    }

    private static Safetensors read(Path file, Arena arena) {
        MemorySegment seg;
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size < 8) throw new ModelFileException(file, "truncated: " + size + " bytes, not even the 8-byte header length");
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot read: " + e.getMessage(), e);
        }
        long headerLen = seg.get(Tensor.I64_LE, 0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw new ModelFileException(file, "header length " + Long.toUnsignedString(headerLen)
                    + " is absurd (must be 2.." + MAX_HEADER_BYTES + " bytes); not a safetensors file?");
        }
        if (8 + headerLen > size) {
            throw new ModelFileException(file, "header length " + headerLen + " runs beyond the end of the file ("
                    + size + " bytes): truncated file");
        }
        byte[] hb = seg.asSlice(8, headerLen).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        JsonNode root;
        try {
            root = JSON.readTree(new String(hb, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ModelFileException(file, "header is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) throw new ModelFileException(file, "header is not a JSON object");
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        MemorySegment dataSeg = seg.asSlice(dataStart, dataLen);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        record Span(String name, long begin, long end) {}
        List<Span> spans = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (v.isObject()) v.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = "tensor '" + name + "'";
            if (!v.isObject()) throw new ModelFileException(file, where + ": entry is not an object");
            JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
            if (dt == null || !dt.isTextual()) throw new ModelFileException(file, where + ": missing dtype");
            DType dtype = DType.fromSafetensors(dt.asText());
            if (dtype == null) {
                throw new ModelFileException(file, where + ": unknown dtype '" + dt.asText()
                        + "' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
            }
            if (sh == null || !sh.isArray()) throw new ModelFileException(file, where + ": missing shape");
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!sh.get(i).canConvertToLong() || sh.get(i).asLong() < 0) {
                    throw new ModelFileException(file, where + ": shape " + sh + " has a negative or non-integer dimension");
                }
                shape[i] = sh.get(i).asLong();
            }
            if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
                throw new ModelFileException(file, where + ": data_offsets must be [begin, end]");
            }
            long begin = off.get(0).asLong(), end = off.get(1).asLong();
            if (begin < 0 || end < begin) throw new ModelFileException(file, where + ": data_offsets [" + begin + ", " + end + "] are not an interval");
            if (end > dataLen) {
                throw new ModelFileException(file, where + ": data_offsets [" + begin + ", " + end + "] lie outside the "
                        + dataLen + " data bytes (truncated file or lying header)");
            }
            long expected;
            try {
                expected = dtype.bytesFor(Tensor.numel(shape));
            } catch (ArithmeticException ex) {
                throw new ModelFileException(file, where + ": shape " + sh + " overflows");
            }
            if (end - begin != expected) {
                throw new ModelFileException(file, where + ": shape " + sh + " x " + dtype + " needs " + expected
                        + " bytes but data_offsets give " + (end - begin));
            }
            spans.add(new Span(name, begin, end));
            tensors.put(name, new Tensor(name, dtype, shape, dataSeg.asSlice(begin, end - begin)));
        }
        spans.sort(Comparator.comparingLong(Span::begin).thenComparingLong(Span::end));
        for (int i = 1; i < spans.size(); i++) {
            Span a = spans.get(i - 1), b = spans.get(i);
            if (b.begin() < a.end() && b.end() > b.begin() && a.end() > a.begin()) {
                throw new ModelFileException(file, "tensors '" + a.name() + "' and '" + b.name() + "' overlap (bytes "
                        + b.begin() + ".." + Math.min(a.end(), b.end()) + " of the data)");
            }
        }
        return new Safetensors(file, arena, tensors, meta);
    }

    public Path file() { return file; }

    public Map<String, String> metadata() { return metadata; }

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
    public void close() {
        arena.close();
    }
}
