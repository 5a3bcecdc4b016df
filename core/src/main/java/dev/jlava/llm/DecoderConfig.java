package dev.jlava.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.io.Gguf;
import dev.jlava.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hyper-parameters of a Qwen2- or LLaMA-style decoder. The two families differ only in
 * configuration: q/k/v biases (Qwen2), tied output (Qwen2 small models), RoPE base and pairing.
 *
 * @param ropeStyle how RoPE pairs dimensions for the stored q/k weights: HF checkpoints use
 *     "rotate half" pairs (i, i + d/2) = {@link RopeStyle#NEOX}; llama.cpp's converter permutes
 *     LLaMA's q/k rows so adjacent pairs (2i, 2i+1) = {@link RopeStyle#NORM} give the same result.
 */
public record DecoderConfig(
        Architecture architecture,
        int hidden,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int ffn,
        int vocab,
        double ropeTheta,
        float rmsEps,
        boolean qkvBias,
        boolean tiedOutput,
        RopeStyle ropeStyle,
        int contextLength) {

    public enum Architecture { QWEN2, LLAMA }

    public enum RopeStyle { NEOX, NORM }

    public DecoderConfig {
        if (hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || ffn <= 0 || vocab <= 0) {
            throw new IllegalArgumentException("decoder sizes must be positive: " + this);
        }
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kv heads " + kvHeads);
        if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim " + headDim + " must be even for RoPE");
    }

    public int qDim() { return heads * headDim; }

    public int kvDim() { return kvHeads * headDim; }

    /** Reads a Hugging Face {@code config.json} of Qwen2ForCausalLM or LlamaForCausalLM. */
    public static DecoderConfig fromHfConfig(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new ModelFileException(configJson, "cannot read: " + e.getMessage(), e);
        }
        return fromHfConfig(configJson, root);
    }

    /** Reads a text-model config node (the whole config.json or a LLaVA {@code text_config}). */
    public static DecoderConfig fromHfConfig(Path file, JsonNode c) {
        String modelType = c.path("model_type").asText("");
        String arch = c.path("architectures").path(0).asText("");
        Architecture a;
        if (modelType.equals("qwen2") || arch.equals("Qwen2ForCausalLM")) a = Architecture.QWEN2;
        else if (modelType.equals("llama") || arch.equals("LlamaForCausalLM")) a = Architecture.LLAMA;
        else throw new ModelFileException(file, "model_type '" + modelType + "' / architectures '" + arch
                + "' is not supported (supported: Qwen2ForCausalLM, LlamaForCausalLM)");
        // Absent fields take the transformers config classes' defaults (llava-hf text_configs rely on them).
        boolean q = a == Architecture.QWEN2;
        HfFields f = new HfFields(file, c);
        JsonNode rs = c.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            throw new ModelFileException(file, "rope_scaling " + rs + " is not supported (only plain RoPE)");
        }
        int hidden = f.posInt("hidden_size", 4096);
        int heads = f.posInt("num_attention_heads", 32);
        int kvHeads = f.posInt("num_key_value_heads", heads);
        int headDim = f.posInt("head_dim", hidden / heads);
        if (!f.present("head_dim") && hidden % heads != 0) throw new ModelFileException(file, "hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        if (heads % kvHeads != 0) throw new ModelFileException(file, "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        boolean bias = q || c.path("attention_bias").asBoolean(false);
        boolean tied = c.path("tie_word_embeddings").asBoolean(false);
        double theta = c.path("rope_theta").asDouble(10000.0);
        float eps = (float) c.path("rms_norm_eps").asDouble(1e-6);
        int ctx = f.posInt("max_position_embeddings", q ? 32768 : 2048);
        return new DecoderConfig(a, hidden, f.posInt("num_hidden_layers", 32), heads, kvHeads, headDim,
                f.posInt("intermediate_size", q ? 22016 : 11008), f.posInt("vocab_size", q ? 151936 : 32000),
                theta, eps, bias, tied, RopeStyle.NEOX, ctx);
    }

    /** Reads GGUF metadata of the {@code qwen2} or {@code llama} architecture. */
    public static DecoderConfig fromGguf(Gguf g) {
        String arch = g.getString("general.architecture");
        Architecture a = switch (arch) {
            case "qwen2" -> Architecture.QWEN2;
            case "llama" -> Architecture.LLAMA;
            default -> throw new ModelFileException(g.file(), "general.architecture '" + arch + "' is not supported (supported: qwen2, llama)");
        };
        String p = arch + ".";
        int hidden = g.getInt(p + "embedding_length");
        int heads = g.getInt(p + "attention.head_count");
        int kvHeads = g.getInt(p + "attention.head_count_kv", heads);
        int headDim = g.getInt(p + "attention.key_length", heads > 0 ? hidden / heads : 0);
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new ModelFileException(g.file(), "attention.head_count " + heads + " / head_count_kv " + kvHeads + " are inconsistent");
        }
        if (!g.has("token_embd.weight")) throw new ModelFileException(g.file(), "missing tensor 'token_embd.weight'");
        long[] emb = g.get("token_embd.weight").shape();
        int vocab = Math.toIntExact(emb[0]);
        if (g.hasKey(p + "vocab_size") && g.getInt(p + "vocab_size") != vocab) {
            throw new ModelFileException(g.file(), p + "vocab_size " + g.getInt(p + "vocab_size") + " differs from token_embd rows " + vocab);
        }
        boolean tied = !g.has("output.weight");
        boolean bias = g.has("blk.0.attn_q.bias");
        double theta = g.getDouble(p + "rope.freq_base", 10000.0);
        float eps = (float) g.getDouble(p + "attention.layer_norm_rms_epsilon", 1e-6);
        RopeStyle style = a == Architecture.QWEN2 ? RopeStyle.NEOX : RopeStyle.NORM;
        try {
            return new DecoderConfig(a, hidden, g.getInt(p + "block_count"), heads, kvHeads, headDim,
                    g.getInt(p + "feed_forward_length"), vocab, theta, eps, bias, tied, style, g.getInt(p + "context_length", 4096));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(g.file(), e.getMessage());
        }
    }

    private record HfFields(Path file, JsonNode c) {
        boolean present(String key) {
            JsonNode v = c.get(key);
            return v != null && !v.isNull();
        }

        int posInt(String key, int dflt) {
            if (!present(key)) return dflt;
            JsonNode v = c.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
                throw new ModelFileException(file, "field '" + key + "' = " + v + " must be a positive integer");
            }
            return v.asInt();
        }
    }
}
