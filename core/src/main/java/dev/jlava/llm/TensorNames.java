package dev.jlava.llm;

/**
 * Where a decoder's tensors live in a checkpoint. Hugging Face names follow the transformers
 * modules (with a prefix inside LLaVA checkpoints, which differs between transformers versions);
 * GGUF names follow llama.cpp's converter.
 */
public interface TensorNames {
    String embed();
    String attnNorm(int l);
    String q(int l);
    String k(int l);
    String v(int l);
    String o(int l);
    String qBias(int l);
    String kBias(int l);
    String vBias(int l);
    String ffnNorm(int l);
    String gate(int l);
    String up(int l);
    String down(int l);
    String outputNorm();
    String output();

    /** HF transformers naming; {@code model} is the decoder stack's prefix (e.g. "model." or
     * "language_model.model."), {@code lmHead} the output projection's name. */
    static TensorNames hf(String model, String lmHead) {
        return new TensorNames() {
            String layer(int l) { return model + "layers." + l + "."; }
            public String embed() { return model + "embed_tokens.weight"; }
            public String attnNorm(int l) { return layer(l) + "input_layernorm.weight"; }
            public String q(int l) { return layer(l) + "self_attn.q_proj.weight"; }
            public String k(int l) { return layer(l) + "self_attn.k_proj.weight"; }
            public String v(int l) { return layer(l) + "self_attn.v_proj.weight"; }
            public String o(int l) { return layer(l) + "self_attn.o_proj.weight"; }
            public String qBias(int l) { return layer(l) + "self_attn.q_proj.bias"; }
            public String kBias(int l) { return layer(l) + "self_attn.k_proj.bias"; }
            public String vBias(int l) { return layer(l) + "self_attn.v_proj.bias"; }
            public String ffnNorm(int l) { return layer(l) + "post_attention_layernorm.weight"; }
            public String gate(int l) { return layer(l) + "mlp.gate_proj.weight"; }
            public String up(int l) { return layer(l) + "mlp.up_proj.weight"; }
            public String down(int l) { return layer(l) + "mlp.down_proj.weight"; }
            public String outputNorm() { return model + "norm.weight"; }
            public String output() { return lmHead; }
        };
    }

    /** llama.cpp GGUF naming. */
    static TensorNames gguf() {
        return new TensorNames() {
            String blk(int l) { return "blk." + l + "."; }
            public String embed() { return "token_embd.weight"; }
            public String attnNorm(int l) { return blk(l) + "attn_norm.weight"; }
            public String q(int l) { return blk(l) + "attn_q.weight"; }
            public String k(int l) { return blk(l) + "attn_k.weight"; }
            public String v(int l) { return blk(l) + "attn_v.weight"; }
            public String o(int l) { return blk(l) + "attn_output.weight"; }
            public String qBias(int l) { return blk(l) + "attn_q.bias"; }
            public String kBias(int l) { return blk(l) + "attn_k.bias"; }
            public String vBias(int l) { return blk(l) + "attn_v.bias"; }
            public String ffnNorm(int l) { return blk(l) + "ffn_norm.weight"; }
            public String gate(int l) { return blk(l) + "ffn_gate.weight"; }
            public String up(int l) { return blk(l) + "ffn_up.weight"; }
            public String down(int l) { return blk(l) + "ffn_down.weight"; }
            public String outputNorm() { return "output_norm.weight"; }
            public String output() { return "output.weight"; }
        };
    }
}
