package dev.jlava.llm;

import java.util.List;

/** Decoder shapes of real models, for benchmarks and the demo (random weights of a real shape). */
public final class ModelShapes {
    private ModelShapes() {}

    public static DecoderConfig byName(String name) {
        return switch (name) {
            case "qwen2-0.5b" -> new DecoderConfig(DecoderConfig.Architecture.QWEN2, 896, 24, 14, 2, 64, 4864, 151936,
                    1e6, 1e-6f, true, true, DecoderConfig.RopeStyle.NEOX, 32768);
            case "qwen2-7b" -> new DecoderConfig(DecoderConfig.Architecture.QWEN2, 3584, 28, 28, 4, 128, 18944, 152064,
                    1e6, 1e-6f, true, false, DecoderConfig.RopeStyle.NEOX, 32768);
            case "vicuna-7b" -> new DecoderConfig(DecoderConfig.Architecture.LLAMA, 4096, 32, 32, 32, 128, 11008, 32064,
                    1e4, 1e-5f, false, false, DecoderConfig.RopeStyle.NEOX, 4096);
            default -> throw new IllegalArgumentException("unknown shape '" + name + "' (known: " + String.join(", ", names()) + ")");
        };
    }

    public static List<String> names() {
        return List.of("qwen2-0.5b", "qwen2-7b", "vicuna-7b");
    }
}
