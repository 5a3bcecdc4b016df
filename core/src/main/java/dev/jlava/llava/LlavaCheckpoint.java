package dev.jlava.llava;

import dev.jlava.io.ModelFileException;
import dev.jlava.io.Safetensors;
import dev.jlava.io.WeightStore;
import dev.jlava.llm.Decoder;
import dev.jlava.llm.DecoderWeights;
import dev.jlava.llm.TensorNames;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A LLaVA checkpoint folder in Hugging Face layout: config, the mapped safetensors (single or
 * sharded) and the language model. Tensor names come in two conventions: the llava-hf hub layout
 * ({@code language_model.model.*}, {@code vision_tower.*}, {@code multi_modal_projector.*},
 * {@code image_newline}) and the transformers >= 4.52 module layout ({@code model.language_model.*},
 * {@code model.vision_tower.*}, ..., {@code lm_head.weight}); {@link #prefix()} says which.
 */
public final class LlavaCheckpoint implements AutoCloseable {
    private final Path dir;
    private final LlavaConfig config;
    private final WeightStore store;
    private final String prefix;
    private final Decoder decoder;

    private LlavaCheckpoint(Path dir, LlavaConfig config, WeightStore store, String prefix, Decoder decoder) {
        this.dir = dir;
        this.config = config;
        this.store = store;
        this.prefix = prefix;
        this.decoder = decoder;
    }

    public static LlavaCheckpoint open(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelFileException(dir, "not a folder (expected a Hugging Face LLaVA checkpoint folder)");
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) throw new ModelFileException(dir, "no config.json (expected a Hugging Face LLaVA checkpoint folder)");
        LlavaConfig config = LlavaConfig.read(cfg);
        WeightStore store = Safetensors.openCheckpoint(dir);
        try {
            String prefix;
            TensorNames names;
            if (store.has("language_model.model.embed_tokens.weight")) {
                prefix = "";
                names = TensorNames.hf("language_model.model.", "language_model.lm_head.weight");
            } else if (store.has("model.language_model.embed_tokens.weight")) {
                prefix = "model.";
                names = TensorNames.hf("model.language_model.", "lm_head.weight");
            } else {
                throw new ModelFileException(store.fileOf("language_model.model.embed_tokens.weight"),
                        "no 'language_model.model.embed_tokens.weight' (llava-hf layout) nor 'model.language_model.embed_tokens.weight' "
                                + "(transformers >= 4.52 layout): not a llava-hf checkpoint");
            }
            var text = config.text();
            if (!text.tiedOutput() && !store.has(names.output())) {
                // some checkpoints tie at the top level only
                text = new dev.jlava.llm.DecoderConfig(text.architecture(), text.hidden(), text.layers(), text.heads(), text.kvHeads(),
                        text.headDim(), text.ffn(), text.vocab(), text.ropeTheta(), text.rmsEps(), text.qkvBias(), true, text.ropeStyle(), text.contextLength());
            }
            Decoder decoder = new Decoder(text, DecoderWeights.load(text, store, names));
            return new LlavaCheckpoint(dir, config, store, prefix, decoder);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public Path dir() { return dir; }

    public LlavaConfig config() { return config; }

    public WeightStore store() { return store; }

    /** "" for the llava-hf layout, "model." for the transformers >= 4.52 layout (vision side names). */
    public String prefix() { return prefix; }

    public Decoder decoder() { return decoder; }

    /** The OneVision {@code image_newline} vector, or null when the checkpoint has none. */
    public float[] imageNewline() {
        String n = prefix + "image_newline";
        return store.has(n) ? store.get(n).toFloatArray() : null;
    }

    @Override
    public void close() {
        store.close();
    }
}
