package dev.jlava.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlava.io.GgufWriter;
import dev.jlava.io.SafetensorsWriter;
import dev.jlava.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Writes random decoders of any shape in the real checkpoint formats (HF folder, GGUF). */
final class RandomCheckpoints {
    private RandomCheckpoints() {}

    /** HF-named tensors (shape outermost-first) with random values for the config. */
    static Map<String, float[]> weights(DecoderConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        w.put("model.embed_tokens.weight", rand(r, c.vocab() * c.hidden(), 0.05f, 0));
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            w.put(p + "input_layernorm.weight", rand(r, c.hidden(), 0.1f, 1));
            w.put(p + "self_attn.q_proj.weight", rand(r, c.qDim() * c.hidden(), 0.08f, 0));
            if (c.qkvBias()) w.put(p + "self_attn.q_proj.bias", rand(r, c.qDim(), 0.05f, 0));
            w.put(p + "self_attn.k_proj.weight", rand(r, c.kvDim() * c.hidden(), 0.08f, 0));
            if (c.qkvBias()) w.put(p + "self_attn.k_proj.bias", rand(r, c.kvDim(), 0.05f, 0));
            w.put(p + "self_attn.v_proj.weight", rand(r, c.kvDim() * c.hidden(), 0.05f, 0));
            if (c.qkvBias()) w.put(p + "self_attn.v_proj.bias", rand(r, c.kvDim(), 0.05f, 0));
            w.put(p + "self_attn.o_proj.weight", rand(r, c.hidden() * c.qDim(), 0.05f, 0));
            w.put(p + "post_attention_layernorm.weight", rand(r, c.hidden(), 0.1f, 1));
            w.put(p + "mlp.gate_proj.weight", rand(r, c.ffn() * c.hidden(), 0.05f, 0));
            w.put(p + "mlp.up_proj.weight", rand(r, c.ffn() * c.hidden(), 0.05f, 0));
            w.put(p + "mlp.down_proj.weight", rand(r, c.hidden() * c.ffn(), 0.05f, 0));
        }
        w.put("model.norm.weight", rand(r, c.hidden(), 0.1f, 1));
        if (!c.tiedOutput()) w.put("lm_head.weight", rand(r, c.vocab() * c.hidden(), 0.05f, 0));
        return w;
    }

    static long[] hfShape(DecoderConfig c, String name) {
        if (name.endsWith("embed_tokens.weight") || name.equals("lm_head.weight")) return new long[] {c.vocab(), c.hidden()};
        if (name.endsWith("norm.weight")) return new long[] {c.hidden()};
        if (name.endsWith("q_proj.weight")) return new long[] {c.qDim(), c.hidden()};
        if (name.endsWith("k_proj.weight") || name.endsWith("v_proj.weight")) return new long[] {c.kvDim(), c.hidden()};
        if (name.endsWith("q_proj.bias")) return new long[] {c.qDim()};
        if (name.endsWith("k_proj.bias") || name.endsWith("v_proj.bias")) return new long[] {c.kvDim()};
        if (name.endsWith("o_proj.weight")) return new long[] {c.hidden(), c.qDim()};
        if (name.endsWith("down_proj.weight")) return new long[] {c.hidden(), c.ffn()};
        return new long[] {c.ffn(), c.hidden()};
    }

    static float[] rand(Random r, int n, float std, float mean) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = mean + std * (float) r.nextGaussian();
        return a;
    }

    /** Writes config.json + safetensors (sharded into {@code shards} files when > 1). */
    static void writeHf(Path dir, DecoderConfig c, Map<String, float[]> w, DType dtype, int shards) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper m = new ObjectMapper();
        ObjectNode cfg = m.createObjectNode();
        cfg.putArray("architectures").add(c.architecture() == DecoderConfig.Architecture.QWEN2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        cfg.put("model_type", c.architecture() == DecoderConfig.Architecture.QWEN2 ? "qwen2" : "llama");
        cfg.put("hidden_size", c.hidden());
        cfg.put("num_hidden_layers", c.layers());
        cfg.put("num_attention_heads", c.heads());
        cfg.put("num_key_value_heads", c.kvHeads());
        if (c.headDim() != c.hidden() / c.heads()) cfg.put("head_dim", c.headDim());
        cfg.put("intermediate_size", c.ffn());
        cfg.put("vocab_size", c.vocab());
        cfg.put("rope_theta", c.ropeTheta());
        cfg.put("rms_norm_eps", c.rmsEps());
        cfg.put("tie_word_embeddings", c.tiedOutput());
        cfg.put("max_position_embeddings", c.contextLength());
        if (c.architecture() == DecoderConfig.Architecture.LLAMA) cfg.put("attention_bias", c.qkvBias());
        Files.writeString(dir.resolve("config.json"), cfg.toPrettyString());
        List<String> names = new ArrayList<>(w.keySet());
        if (shards <= 1) {
            writer(c, w, names, dtype).write(dir.resolve("model.safetensors"));
            return;
        }
        ObjectNode index = m.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        int per = (names.size() + shards - 1) / shards;
        for (int s = 0; s < shards; s++) {
            List<String> part = names.subList(Math.min(names.size(), s * per), Math.min(names.size(), (s + 1) * per));
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            writer(c, w, part, dtype).write(dir.resolve(file));
            for (String n : part) map.put(n, file);
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toPrettyString());
    }

    private static SafetensorsWriter writer(DecoderConfig c, Map<String, float[]> w, List<String> names, DType dtype) {
        SafetensorsWriter sw = new SafetensorsWriter().metadata("format", "pt");
        for (String n : names) {
            long[] shape = hfShape(c, n);
            switch (dtype) {
                case F32 -> sw.addF32(n, w.get(n), shape);
                case F16 -> sw.addF16(n, w.get(n), shape);
                case BF16 -> sw.addBF16(n, w.get(n), shape);
                default -> throw new IllegalArgumentException(dtype.name());
            }
        }
        return sw;
    }

    /** Writes the same weights as llama.cpp's converter would (F32; LLaMA q/k rows permuted). */
    static void writeGguf(Path file, DecoderConfig c, Map<String, float[]> w) throws IOException {
        String arch = c.architecture() == DecoderConfig.Architecture.QWEN2 ? "qwen2" : "llama";
        GgufWriter g = new GgufWriter()
                .put("general.architecture", arch)
                .put("general.name", "random")
                .putU32(arch + ".block_count", c.layers())
                .putU32(arch + ".context_length", c.contextLength())
                .putU32(arch + ".embedding_length", c.hidden())
                .putU32(arch + ".feed_forward_length", c.ffn())
                .putU32(arch + ".attention.head_count", c.heads())
                .putU32(arch + ".attention.head_count_kv", c.kvHeads())
                .put(arch + ".rope.freq_base", (float) c.ropeTheta())
                .put(arch + ".attention.layer_norm_rms_epsilon", c.rmsEps());
        if (c.headDim() != c.hidden() / c.heads()) {
            g.putU32(arch + ".attention.key_length", c.headDim()).putU32(arch + ".attention.value_length", c.headDim());
        }
        TensorNames hf = TensorNames.hf("model.", "lm_head.weight"), gg = TensorNames.gguf();
        boolean permute = c.architecture() == DecoderConfig.Architecture.LLAMA;
        add(g, c, w, hf.embed(), gg.embed(), 0);
        for (int l = 0; l < c.layers(); l++) {
            add(g, c, w, hf.attnNorm(l), gg.attnNorm(l), 0);
            add(g, c, w, hf.q(l), gg.q(l), permute ? c.heads() : 0);
            add(g, c, w, hf.k(l), gg.k(l), permute ? c.kvHeads() : 0);
            add(g, c, w, hf.v(l), gg.v(l), 0);
            if (c.qkvBias()) {
                add(g, c, w, hf.qBias(l), gg.qBias(l), permute ? c.heads() : 0);
                add(g, c, w, hf.kBias(l), gg.kBias(l), permute ? c.kvHeads() : 0);
                add(g, c, w, hf.vBias(l), gg.vBias(l), 0);
            }
            add(g, c, w, hf.o(l), gg.o(l), 0);
            add(g, c, w, hf.ffnNorm(l), gg.ffnNorm(l), 0);
            add(g, c, w, hf.gate(l), gg.gate(l), 0);
            add(g, c, w, hf.up(l), gg.up(l), 0);
            add(g, c, w, hf.down(l), gg.down(l), 0);
        }
        add(g, c, w, hf.outputNorm(), gg.outputNorm(), 0);
        if (!c.tiedOutput()) add(g, c, w, hf.output(), gg.output(), 0);
        g.write(file);
    }

    private static void add(GgufWriter g, DecoderConfig c, Map<String, float[]> w, String hfName, String ggName, int permuteHeads) {
        float[] v = w.get(hfName);
        long[] shape = hfShape(c, hfName);
        if (permuteHeads > 0) v = permuteRows(v, shape, permuteHeads);
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        g.tensor(ggName, DType.F32, shape, b.array());
    }

    /** llama.cpp's LLaMA q/k permutation: each head's rotate-half halves become interleaved pairs. */
    static float[] permuteRows(float[] w, long[] shape, int heads) {
        int rows = (int) shape[0];
        int cols = shape.length > 1 ? (int) shape[1] : 1;
        int hd = rows / heads, half = hd / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int dst = h * hd + 2 * i + j, src = h * hd + j * half + i;
                    System.arraycopy(w, src * cols, out, dst * cols, cols);
                }
            }
        }
        return out;
    }
}
