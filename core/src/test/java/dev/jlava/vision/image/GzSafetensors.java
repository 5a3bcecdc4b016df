package dev.jlava.vision.image;

import dev.jlava.io.Safetensors;
import dev.jlava.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/** Opens the gzipped safetensors goldens: gunzip into a temp file, then the normal reader. */
final class GzSafetensors {
    private GzSafetensors() {}

    static Safetensors open(Path gz) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Path tmp = Files.createTempFile("jlava-golden-", ".safetensors");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return Safetensors.open(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A U8 tensor [H, W, 3] as an image. */
    static RgbImage image(Tensor t) {
        long[] s = t.shape();
        int n = s.length;
        return new RgbImage((int) s[n - 2], (int) s[n - 3], t.data().toArray(ValueLayout.JAVA_BYTE));
    }

    /** Image {@code i} of a U8 tensor [N, H, W, 3]. */
    static RgbImage image(Tensor t, int i) {
        long[] s = t.shape();
        long bytes = s[1] * s[2] * 3;
        return new RgbImage((int) s[2], (int) s[1], t.data().asSlice(i * bytes, bytes).toArray(ValueLayout.JAVA_BYTE));
    }
}
