package dev.jlava.vision;

import dev.jlava.io.Safetensors;
import dev.jlava.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/** Pixel values from the goldens' stored uint8 images and LUT. */
final class GoldenInputs {
    private GoldenInputs() {}

    /**
     * pixel_values [F][3][H][W] = lut[u8[f][y][x][c]][c] from HWC uint8 images: exactly what the
     * llava-ov README defines (rescale and normalize are per-pixel, so a 256-entry LUT per channel).
     */
    static float[] fromLut(Tensor u8, Tensor lut) {
        long[] s = u8.shape();
        int f = (int) s[0], h = (int) s[1], w = (int) s[2], ch = (int) s[3];
        float[] table = lut.toFloatArray();
        byte[] raw = u8.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        float[] out = new float[f * ch * h * w];
        for (int i = 0; i < f; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < ch; c++) {
                        int v = raw[((i * h + y) * w + x) * ch + c] & 0xff;
                        out[((i * ch + c) * h + y) * w + x] = table[v * ch + c];
                    }
                }
            }
        }
        return out;
    }

    /** Opens a gzip'd safetensors file (the preprocessing goldens) through a temporary copy. */
    static Safetensors openGz(Path gz, Path tmpDir) throws IOException {
        Path out = tmpDir.resolve(gz.getFileName().toString().replace(".gz", ""));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return Safetensors.open(out);
    }
}
