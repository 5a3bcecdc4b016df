package dev.jlava.vision;

import dev.jlava.io.InMemoryWeights;
import dev.jlava.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Random SigLIP/CLIP towers and projectors of any shape, under llava-hf tensor names. */
final class RandomTowers {
    private RandomTowers() {}

    static final String PREFIX = "vision_tower.vision_model.";
    static final String PROJ = "multi_modal_projector.";

    static VisionConfig config(VisionConfig.Family family, int hidden, int inter, int layers, int heads, int channels,
                               int image, int patch, Activation act, VisionConfig.Strategy strategy, int... featureLayers) {
        return new VisionConfig(family, hidden, inter, layers, heads, channels, image, patch,
                family == VisionConfig.Family.SIGLIP ? 1e-6 : 1e-5, act, featureLayers, strategy, Activation.GELU_ERF, true);
    }

    /** Weights drawn like the goldens' (q/k larger so that attention is far from uniform). */
    static Map<String, float[]> weights(VisionConfig c, int projOut, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        int d = c.hidden(), m = c.intermediate(), k = c.channels() * c.patchSize() * c.patchSize();
        String e = PREFIX + "embeddings.";
        w.put(e + "patch_embedding.weight", rand(r, d * k, 0.04, 0));
        if (c.family() == VisionConfig.Family.SIGLIP) w.put(e + "patch_embedding.bias", rand(r, d, 0.02, 0));
        else w.put(e + "class_embedding", rand(r, d, 0.5, 0));
        w.put(e + "position_embedding.weight", rand(r, c.tokens() * d, 0.1, 0));
        if (c.family() == VisionConfig.Family.CLIP) {
            w.put(PREFIX + "pre_layrnorm.weight", rand(r, d, 0.1, 1));
            w.put(PREFIX + "pre_layrnorm.bias", rand(r, d, 0.05, 0));
        }
        for (int l = 0; l < c.layers(); l++) {
            String p = PREFIX + "encoder.layers." + l + ".";
            w.put(p + "layer_norm1.weight", rand(r, d, 0.1, 1));
            w.put(p + "layer_norm1.bias", rand(r, d, 0.05, 0));
            for (String s : new String[] {"q", "k", "v", "out"}) {
                w.put(p + "self_attn." + s + "_proj.weight", rand(r, d * d, s.equals("q") || s.equals("k") ? 0.3 : 0.1, 0));
                w.put(p + "self_attn." + s + "_proj.bias", rand(r, d, 0.05, 0));
            }
            w.put(p + "layer_norm2.weight", rand(r, d, 0.1, 1));
            w.put(p + "layer_norm2.bias", rand(r, d, 0.05, 0));
            w.put(p + "mlp.fc1.weight", rand(r, m * d, 0.15, 0));
            w.put(p + "mlp.fc1.bias", rand(r, m, 0.05, 0));
            w.put(p + "mlp.fc2.weight", rand(r, d * m, 0.1, 0));
            w.put(p + "mlp.fc2.bias", rand(r, d, 0.05, 0));
        }
        w.put(PREFIX + "post_layernorm.weight", rand(r, d, 0.1, 1));
        w.put(PREFIX + "post_layernorm.bias", rand(r, d, 0.05, 0));
        w.put(PROJ + "linear_1.weight", rand(r, projOut * c.featureDim(), 0.2, 0));
        w.put(PROJ + "linear_1.bias", rand(r, projOut, 0.05, 0));
        w.put(PROJ + "linear_2.weight", rand(r, projOut * projOut, 0.3, 0));
        w.put(PROJ + "linear_2.bias", rand(r, projOut, 0.05, 0));
        return w;
    }

    static long[] shape(VisionConfig c, String name, int projOut) {
        int d = c.hidden(), m = c.intermediate();
        if (name.endsWith("patch_embedding.weight")) return new long[] {d, c.channels(), c.patchSize(), c.patchSize()};
        if (name.endsWith("position_embedding.weight")) return new long[] {c.tokens(), d};
        if (name.endsWith("linear_1.weight")) return new long[] {projOut, c.featureDim()};
        if (name.endsWith("linear_2.weight")) return new long[] {projOut, projOut};
        if (name.contains("linear_")) return new long[] {projOut};
        if (name.endsWith("fc1.weight")) return new long[] {m, d};
        if (name.endsWith("fc1.bias")) return new long[] {m};
        if (name.endsWith("fc2.weight")) return new long[] {d, m};
        if (name.endsWith("_proj.weight")) return new long[] {d, d};
        return new long[] {d};
    }

    /** The weights as an in-memory store, with the llava-hf prefixes replaced by {@code towerPrefix}/{@code projPrefix}. */
    static InMemoryWeights store(VisionConfig c, Map<String, float[]> w, int projOut, String towerPrefix, String projPrefix) {
        InMemoryWeights s = new InMemoryWeights("random tower");
        for (var en : w.entrySet()) {
            String name = en.getKey().startsWith(PREFIX) ? towerPrefix + en.getKey().substring(PREFIX.length())
                    : projPrefix + en.getKey().substring(PROJ.length());
            s.put(Tensor.ofFloats(name, en.getValue(), shape(c, en.getKey(), projOut)));
        }
        return s;
    }

    static InMemoryWeights store(VisionConfig c, Map<String, float[]> w, int projOut) {
        return store(c, w, projOut, PREFIX, PROJ);
    }

    static float[] pixels(VisionConfig c, int frames, long seed) {
        Random r = new Random(seed);
        float[] p = new float[frames * c.channels() * c.imageSize() * c.imageSize()];
        for (int i = 0; i < p.length; i++) p[i] = (float) (r.nextDouble() * 2 - 1);
        return p;
    }

    static float[] rand(Random r, int n, double std, double mean) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (mean + std * r.nextGaussian());
        return a;
    }
}
