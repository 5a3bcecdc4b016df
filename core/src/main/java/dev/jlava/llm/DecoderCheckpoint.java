package dev.jlava.llm;

import dev.jlava.io.Gguf;
import dev.jlava.io.ModelFileException;
import dev.jlava.io.Safetensors;
import dev.jlava.io.WeightStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A text decoder opened from a checkpoint: a GGUF file (llama.cpp) or a Hugging Face folder
 * ({@code config.json} + safetensors, single or sharded). Owns the mapped files; close it to unmap.
 */
public final class DecoderCheckpoint implements AutoCloseable {
    private final Path path;
    private final WeightStore store;
    private final Decoder decoder;

    private DecoderCheckpoint(Path path, WeightStore store, Decoder decoder) {
        this.path = path;
        this.store = store;
        this.decoder = decoder;
    }

    public static DecoderCheckpoint open(Path path) {
        if (!Files.exists(path)) throw new ModelFileException(path, "no such file or folder");
        if (Files.isDirectory(path)) return openHf(path);
        if (path.getFileName().toString().endsWith(".json")) return openHf(path.getParent());
        return openGguf(path);
    }

    public static DecoderCheckpoint openGguf(Path file) {
        Gguf g = Gguf.open(file);
        try {
            DecoderConfig c = DecoderConfig.fromGguf(g);
            DecoderWeights w = DecoderWeights.load(c, g, TensorNames.gguf());
            return new DecoderCheckpoint(file, g, new Decoder(c, w));
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    public static DecoderCheckpoint openHf(Path dir) {
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) throw new ModelFileException(dir, "no config.json (expected a Hugging Face checkpoint folder or a .gguf file)");
        DecoderConfig c = DecoderConfig.fromHfConfig(cfg);
        WeightStore store = Safetensors.openCheckpoint(dir);
        try {
            DecoderWeights w = DecoderWeights.load(c, store, TensorNames.hf("model.", "lm_head.weight"));
            return new DecoderCheckpoint(dir, store, new Decoder(c, w));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public Path path() { return path; }

    public WeightStore store() { return store; }

    public Decoder decoder() { return decoder; }

    public DecoderConfig config() { return decoder.config(); }

    @Override
    public void close() {
        store.close();
    }
}
