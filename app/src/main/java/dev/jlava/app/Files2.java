package dev.jlava.app;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Output files written whole or not at all (temporary file + atomic rename). */
final class Files2 {
    private Files2() {}

    static void writeFloatsLE(Path out, float[] values, int count) throws IOException {
        Path tmp = tmpFor(out);
        try (OutputStream os = Files.newOutputStream(tmp)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                if (b.remaining() < 4) { os.write(b.array(), 0, b.position()); b.clear(); }
                b.putFloat(values[i]);
            }
            os.write(b.array(), 0, b.position());
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(out + ": cannot write: " + e.getMessage(), e);
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void writeString(Path out, String text) throws IOException {
        Path tmp = tmpFor(out);
        try {
            Files.writeString(tmp, text);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(out + ": cannot write: " + e.getMessage(), e);
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void checkWritable(Path out) {
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new UserError(out + ": folder " + dir + " does not exist");
        if (Files.isDirectory(out)) throw new UserError(out + ": is a folder, expected a file name");
    }

    static Path tmpFor(Path out) {
        return out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".tmp");
    }
}
