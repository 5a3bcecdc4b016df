package dev.jlava.llava;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jlava.io.Gguf;
import dev.jlava.io.GgufWriter;
import dev.jlava.io.InMemoryWeights;
import dev.jlava.llm.Decoder;
import dev.jlava.llm.DecoderConfig;
import dev.jlava.llm.ModelShapes;
import dev.jlava.llm.RandomDecoder;
import dev.jlava.tensor.RandomTensors;
import dev.jlava.tokenizer.ByteLevel;
import dev.jlava.tokenizer.ChatTemplate;
import dev.jlava.tokenizer.Tokenizer;
import dev.jlava.tokenizer.Tokenizers;
import dev.jlava.vision.Activation;
import dev.jlava.vision.LlavaVision;
import dev.jlava.vision.Projector;
import dev.jlava.vision.VisionConfig;
import dev.jlava.vision.VisionTower;
import dev.jlava.vision.image.ImagePreprocessor;
import dev.jlava.vision.image.ImageProcessorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LLaVA-OneVision models with deterministic random weights generated in memory: for the demo
 * (nothing to download) and for benchmarks on the real 0.5B shape. The structure, shapes and code
 * path are those of a real checkpoint; the answers are meaningless. The tokenizer is a real
 * byte-level BPE over the 256 byte tokens plus Qwen2's chat tokens (no merges).
 */
public final class RandomLlava {
    private RandomLlava() {}

    /** @param vision SigLIP shape; @param text Qwen2 decoder shape. */
    public record Shape(String name, VisionConfig vision, DecoderConfig text) {}

    public static List<String> shapeNames() {
        return List.of("demo", "llava-ov-0.5b");
    }

    public static Shape shape(String name) {
        return switch (name) {
            case "demo" -> new Shape(name, siglip(256, 1024, 4, 4),
                    new DecoderConfig(DecoderConfig.Architecture.QWEN2, 512, 8, 8, 2, 64, 2048, 512, 1e6, 1e-6f, true, true,
                            DecoderConfig.RopeStyle.NEOX, 32768));
            case "llava-ov-0.5b" -> new Shape(name, siglip(1152, 4304, 26, 16), ModelShapes.byName("qwen2-0.5b"));
            default -> throw new IllegalArgumentException("unknown model shape '" + name + "' (known: " + String.join(", ", shapeNames()) + ")");
        };
    }

    /** SigLIP at 384 px, patch 14 (27 x 27 = 729 tokens), last layer's output as LLaVA-OneVision uses. */
    static VisionConfig siglip(int hidden, int ffn, int layers, int heads) {
        return new VisionConfig(VisionConfig.Family.SIGLIP, hidden, ffn, layers, heads, 3, 384, 14, 1e-6,
                Activation.GELU_TANH, new int[] {-1}, VisionConfig.Strategy.FULL, Activation.GELU_ERF, true);
    }

    /** Vision shapes for benchmarks: SigLIP-so400m at 384 px (26 layers, as LLaVA-OneVision runs it) and CLIP ViT-L/14-336. */
    public static VisionConfig visionShape(String name) {
        return switch (name) {
            case "siglip-so400m" -> siglip(1152, 4304, 26, 16);
            case "clip-vit-l-336" -> new VisionConfig(VisionConfig.Family.CLIP, 1024, 4096, 24, 16, 3, 336, 14, 1e-5,
                    Activation.QUICK_GELU, new int[] {-2}, VisionConfig.Strategy.DEFAULT, Activation.GELU_ERF, true);
            default -> throw new IllegalArgumentException("unknown vision shape '" + name + "' (known: siglip-so400m, clip-vit-l-336)");
        };
    }

    /** A random vision tower of the given shape, under the llava-hf tensor names. */
    public static VisionTower randomTower(VisionConfig v, long seed) {
        InMemoryWeights w = new InMemoryWeights("random vision tower");
        putTower(w, v, new RandomTensors(seed));
        return VisionTower.load(v, w, TOWER_PREFIX);
    }

    private static final String TOWER_PREFIX = "vision_tower.vision_model.";

    private static void putTower(InMemoryWeights w, VisionConfig v, RandomTensors r) {
        String p = TOWER_PREFIX;
        int d = v.hidden(), f = v.intermediate();
        float s = (float) Math.sqrt(d / 32.0);
        w.put(r.tensor(p + "embeddings.patch_embedding.weight", 0.04f, 0, d, 3, v.patchSize(), v.patchSize()));
        w.put(r.tensor(p + "embeddings.position_embedding.weight", 0.1f, 0, v.tokens(), d));
        if (v.hasCls()) {
            w.put(r.tensor(p + "embeddings.class_embedding", 0.1f, 0, d));
            w.put(r.tensor(p + "pre_layrnorm.weight", 0.1f, 1, d)).put(r.tensor(p + "pre_layrnorm.bias", 0.05f, 0, d));
        } else {
            w.put(r.tensor(p + "embeddings.patch_embedding.bias", 0.02f, 0, d));
        }
        for (int l = 0; l < v.layersToRun(); l++) {
            String q = p + "encoder.layers." + l + ".";
            w.put(r.tensor(q + "layer_norm1.weight", 0.1f, 1, d)).put(r.tensor(q + "layer_norm1.bias", 0.05f, 0, d));
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                float std = (proj.startsWith("q") || proj.startsWith("k") ? 0.3f : 0.08f) / s;
                w.put(r.tensor(q + "self_attn." + proj + ".weight", std, 0, d, d)).put(r.tensor(q + "self_attn." + proj + ".bias", 0.02f, 0, d));
            }
            w.put(r.tensor(q + "layer_norm2.weight", 0.1f, 1, d)).put(r.tensor(q + "layer_norm2.bias", 0.05f, 0, d));
            w.put(r.tensor(q + "mlp.fc1.weight", 0.08f / s, 0, f, d)).put(r.tensor(q + "mlp.fc1.bias", 0.02f, 0, f));
            w.put(r.tensor(q + "mlp.fc2.weight", 0.08f / (float) Math.sqrt(f / 64.0), 0, d, f)).put(r.tensor(q + "mlp.fc2.bias", 0.02f, 0, d));
        }
    }

    public static LlavaModel create(Shape s, long seed) {
        RandomTensors r = new RandomTensors(seed);
        VisionConfig v = s.vision();
        DecoderConfig t = s.text();
        InMemoryWeights w = new InMemoryWeights("random " + s.name());
        putTower(w, v, r);
        int d = v.hidden(), h = t.hidden();
        w.put(r.tensor("multi_modal_projector.linear_1.weight", 0.2f / (float) Math.sqrt(d / 32.0), 0, h, d));
        w.put(r.tensor("multi_modal_projector.linear_1.bias", 0.02f, 0, h));
        w.put(r.tensor("multi_modal_projector.linear_2.weight", 0.5f / (float) Math.sqrt(h / 64.0), 0, h, h));
        w.put(r.tensor("multi_modal_projector.linear_2.bias", 0.02f, 0, h));
        float[] newline = r.values(h, (float) (1 / Math.sqrt(h)), 0);

        LlavaVision vision = new LlavaVision(v, VisionTower.load(v, w, TOWER_PREFIX), Projector.load(v, w, "multi_modal_projector."));
        Decoder decoder = RandomDecoder.create(t, seed + 1);
        Tokenizer tok = byteLevelTokenizer();
        int image = tok.idOf("<image>"), video = tok.idOf("<video>");
        LlavaConfig cfg = new LlavaConfig(LlavaConfig.Family.LLAVA_ONEVISION, Path.of("<random " + s.name() + ">"), t,
                JsonNodeFactory.instance.objectNode(), image, video, -1, "full", "gelu", "anyres_max_9", List.of());
        ImagePreprocessor pre = new ImagePreprocessor(ImageProcessorConfig.siglip384());
        return new LlavaModel(cfg, vision, decoder, tok, ChatTemplate.chatMl(), pre, pre, newline, null);
    }

    /** 256 byte tokens (GPT-2 byte-to-unicode), then Qwen2's special tokens and the image/video placeholders. */
    static Tokenizer byteLevelTokenizer() {
        List<String> tokens = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
            types.add(1);
        }
        for (String sp : new String[] {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<image>", "<video>"}) {
            tokens.add(sp);
            types.add(3);
        }
        int eot = 256;
        GgufWriter g = new GgufWriter()
                .put("general.architecture", "qwen2")
                .put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.pre", "qwen2")
                .put("tokenizer.ggml.tokens", tokens.toArray(new String[0]))
                .put("tokenizer.ggml.token_type", types.stream().mapToInt(Integer::intValue).toArray())
                .put("tokenizer.ggml.merges", new String[0])
                .putU32("tokenizer.ggml.bos_token_id", eot)
                .putU32("tokenizer.ggml.eos_token_id", eot)
                .put("tokenizer.ggml.add_bos_token", false);
        try {
            Path tmp = Files.createTempFile("jlava-tokenizer", ".gguf");
            try {
                g.write(tmp);
                try (Gguf gg = Gguf.open(tmp)) {
                    return Tokenizers.fromGguf(gg);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
