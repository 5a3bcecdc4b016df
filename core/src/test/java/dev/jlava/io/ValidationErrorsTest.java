package dev.jlava.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every class of broken weight file gives one ModelFileException naming file, tensor/field and problem. */
class ValidationErrorsTest {
    @TempDir Path tmp;

    private Path safetensors(String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = tmp.resolve("m.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private void assertSafetensorsError(Path p, String... fragments) {
        assertThatThrownBy(() -> Safetensors.open(p).close())
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContainingAll(fragments);
    }

    @Test
    void safetensorsGood() throws Exception {
        Path p = safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        try (Safetensors s = Safetensors.open(p)) {
            assertThat(s.get("a").shape()).containsExactly(2);
        }
    }

    @Test
    void safetensorsHeaderBeyondFile() throws Exception {
        Path p = tmp.resolve("h.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertSafetensorsError(p, "header length 1000", "beyond the end");
    }

    @Test
    void safetensorsAbsurdHeader() throws Exception {
        Path p = tmp.resolve("h.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertSafetensorsError(p, "absurd");
    }

    @Test
    void safetensorsTruncatedBelowLengthField() throws Exception {
        Path p = tmp.resolve("t.safetensors");
        Files.write(p, new byte[5]);
        assertSafetensorsError(p, "truncated");
    }

    @Test
    void safetensorsOffsetsOutsideData() throws Exception {
        assertSafetensorsError(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
                "tensor 'w'", "outside");
    }

    @Test
    void safetensorsShapeTimesDtypeMismatch() throws Exception {
        assertSafetensorsError(safetensors("{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w'", "needs 6 bytes", "give 8");
    }

    @Test
    void safetensorsUnknownDtype() throws Exception {
        assertSafetensorsError(safetensors("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w'", "unknown dtype 'F8_E4M3'");
    }

    @Test
    void safetensorsOverlap() throws Exception {
        assertSafetensorsError(safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "'a'", "'b'", "overlap");
    }

    @Test
    void safetensorsNotJson() throws Exception {
        assertSafetensorsError(safetensors("{not json", 0), "not valid JSON");
    }

    @Test
    void safetensorsMissingTensor() throws Exception {
        Path p = safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        try (Safetensors s = Safetensors.open(p)) {
            assertThatThrownBy(() -> s.get("b")).isInstanceOf(ModelFileException.class).hasMessageContaining("missing tensor 'b'");
        }
    }

    private static byte[] f32(int n) {
        return new byte[n * 4];
    }

    private Path gguf(byte[] bytes) throws Exception {
        Path p = tmp.resolve("m.gguf");
        Files.write(p, bytes);
        return p;
    }

    private void assertGgufError(Path p, String... fragments) {
        assertThatThrownBy(() -> Gguf.open(p).close())
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContainingAll(fragments);
    }

    private static GgufWriter good() {
        return new GgufWriter().put("general.architecture", "llama").put("x.arr", new int[] {1, 2, 3})
                .tensor("a", DType.F32, new long[] {4}, f32(4)).tensor("b", DType.F32, new long[] {2, 8}, f32(16));
    }

    @Test
    void ggufGoodRoundTrip() throws Exception {
        try (Gguf g = Gguf.open(gguf(good().toBytes()))) {
            assertThat(g.getString("general.architecture")).isEqualTo("llama");
            assertThat(g.getIntArray("x.arr")).containsExactly(1, 2, 3);
            assertThat(g.get("b").shape()).containsExactly(2, 8);
        }
    }

    @Test
    void ggufBadMagic() throws Exception {
        byte[] b = good().toBytes();
        b[0] = 'X';
        assertGgufError(gguf(b), "bad magic");
    }

    @Test
    void ggufBadVersion() throws Exception {
        byte[] b = good().toBytes();
        b[4] = 7;
        assertGgufError(gguf(b), "unsupported GGUF version 7");
    }

    @Test
    void ggufTruncatedHeader() throws Exception {
        byte[] b = good().toBytes();
        assertGgufError(gguf(Arrays.copyOf(b, 40)), "truncated");
    }

    @Test
    void ggufTruncatedData() throws Exception {
        byte[] b = good().toBytes();
        assertGgufError(gguf(Arrays.copyOf(b, b.length - 40)), "tensor 'b'", "outside");
    }

    @Test
    void ggufAbsurdTensorCount() throws Exception {
        byte[] b = good().toBytes();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 1L << 50);
        assertGgufError(gguf(b), "tensor count", "absurd");
    }

    @Test
    void ggufUnknownTensorType() throws Exception {
        byte[] b = new GgufWriter().tensor("w", DType.F32, new long[] {4}, f32(4)).toBytes();
        // the type field of the only tensor info: after magic, version, counts, name, n_dims, ne
        int typeAt = 4 + 4 + 8 + 8 + (8 + 1) + 4 + 8;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 99);
        assertGgufError(gguf(b), "tensor 'w'", "unknown or unsupported ggml type 99");
    }

    @Test
    void ggufOverlappingTensors() throws Exception {
        byte[] b = new GgufWriter().tensor("a", DType.F32, new long[] {16}, f32(16)).tensor("b", DType.F32, new long[] {8}, f32(8)).toBytes();
        // move b's offset (last 8 bytes of its info) from 64 to 32, inside a
        int bInfo = 4 + 4 + 8 + 8 + (8 + 1) + 4 + 8 + 4 + 8;
        int bOffsetAt = bInfo + (8 + 1) + 4 + 8 + 4;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(bOffsetAt, 32);
        assertGgufError(gguf(b), "'a'", "'b'", "overlap");
    }

    @Test
    void ggufStringBeyondFile() throws Exception {
        byte[] b = new GgufWriter().put("k", "value").toBytes();
        int valueLenAt = 4 + 4 + 8 + 8 + (8 + 1) + 4;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(valueLenAt, 1L << 40);
        assertGgufError(gguf(b), "string length", "beyond the end");
    }

    @Test
    void ggufQuantizedRowNotMultipleOfBlock() throws Exception {
        byte[] b = new GgufWriter().tensor("q", DType.Q8_0, new long[] {1, 64}, new byte[68]).toBytes();
        int ne0At = 4 + 4 + 8 + 8 + (8 + 1) + 4;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(ne0At, 40);
        assertGgufError(gguf(b), "tensor 'q'", "block size 32");
    }

    @Test
    void ggufWrongMetadataType() throws Exception {
        try (Gguf g = Gguf.open(gguf(good().toBytes()))) {
            assertThatThrownBy(() -> g.getInt("general.architecture")).isInstanceOf(ModelFileException.class)
                    .hasMessageContaining("general.architecture").hasMessageContaining("expected an integer");
            assertThatThrownBy(() -> g.getString("no.such.key")).isInstanceOf(ModelFileException.class)
                    .hasMessageContaining("missing metadata key 'no.such.key'");
        }
    }
}
