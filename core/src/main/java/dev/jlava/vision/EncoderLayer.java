package dev.jlava.vision;

import dev.jlava.io.WeightLoader;

import dev.jlava.kernel.Linear;

/**
 * One pre-LayerNorm transformer block of the SigLIP / CLIP encoders (identical in both):
 * {@code x += out_proj(attention(layer_norm1(x)))}, then {@code x += fc2(act(fc1(layer_norm2(x))))}.
 * All projections have biases.
 */
final class EncoderLayer {
    final float[] ln1w, ln1b, qb, kb, vb, ob, ln2w, ln2b, fc1b, fc2b;
    final Linear q, k, v, o, fc1, fc2;

    EncoderLayer(float[] ln1w, float[] ln1b, Linear q, float[] qb, Linear k, float[] kb, Linear v, float[] vb,
                 Linear o, float[] ob, float[] ln2w, float[] ln2b, Linear fc1, float[] fc1b, Linear fc2, float[] fc2b) {
        this.ln1w = ln1w; this.ln1b = ln1b; this.q = q; this.qb = qb; this.k = k; this.kb = kb; this.v = v; this.vb = vb;
        this.o = o; this.ob = ob; this.ln2w = ln2w; this.ln2b = ln2b; this.fc1 = fc1; this.fc1b = fc1b; this.fc2 = fc2; this.fc2b = fc2b;
    }

    static EncoderLayer load(WeightLoader ld, String p, VisionConfig c) {
        int d = c.hidden(), m = c.intermediate();
        return new EncoderLayer(
                ld.vector(p + "layer_norm1.weight", d), ld.vector(p + "layer_norm1.bias", d),
                ld.gemmLinear(p + "self_attn.q_proj.weight", d, d), ld.vector(p + "self_attn.q_proj.bias", d),
                ld.gemmLinear(p + "self_attn.k_proj.weight", d, d), ld.vector(p + "self_attn.k_proj.bias", d),
                ld.gemmLinear(p + "self_attn.v_proj.weight", d, d), ld.vector(p + "self_attn.v_proj.bias", d),
                ld.gemmLinear(p + "self_attn.out_proj.weight", d, d), ld.vector(p + "self_attn.out_proj.bias", d),
                ld.vector(p + "layer_norm2.weight", d), ld.vector(p + "layer_norm2.bias", d),
                ld.gemmLinear(p + "mlp.fc1.weight", m, d), ld.vector(p + "mlp.fc1.bias", m),
                ld.gemmLinear(p + "mlp.fc2.weight", d, m), ld.vector(p + "mlp.fc2.bias", d));
    }

    /** Buffers of one chunk of frames, reused by every layer. */
    static final class Workspace {
        final float[] x, h, q, k, v, tmp, mid;
        final SelfAttention attention;

        Workspace(int rows, VisionConfig c) {
            int d = c.hidden();
            x = new float[rows * d];
            h = new float[rows * d];
            q = new float[rows * d];
            k = new float[rows * d];
            v = new float[rows * d];
            tmp = new float[rows * d];
            mid = new float[rows * c.intermediate()];
            attention = new SelfAttention(c);
        }
    }

    /** Runs the block in place on ws.x for {@code frames} frames of {@code c.tokens()} rows each. */
    void forward(Workspace ws, int frames, VisionConfig c, AttentionTap tap, int firstFrame) {
        int t = c.tokens(), d = c.hidden(), rows = frames * t;
        LayerNorm.apply(ws.x, rows, d, ln1w, ln1b, c.layerNormEps(), ws.h);
        q.forward(ws.h, rows, ws.q);
        Rows.addBias(ws.q, rows, d, qb);
        k.forward(ws.h, rows, ws.k);
        Rows.addBias(ws.k, rows, d, kb);
        v.forward(ws.h, rows, ws.v);
        Rows.addBias(ws.v, rows, d, vb);
        for (int f = 0; f < frames; f++) { // the context goes to ws.h, free once q, k, v exist
            if (tap != null) {
                tap.beginFrame();
                tap.keys(firstFrame + f, ws.k, f * t * d);
            }
            ws.attention.forward(ws.q, ws.k, ws.v, f * t * d, ws.h, tap);
            if (tap != null) tap.endFrame(firstFrame + f);
        }
        o.forward(ws.h, rows, ws.tmp);
        Rows.addResidual(ws.x, ws.tmp, rows, d, ob);
        LayerNorm.apply(ws.x, rows, d, ln2w, ln2b, c.layerNormEps(), ws.h);
        fc1.forward(ws.h, rows, ws.mid);
        Rows.addBiasActivate(c.activation(), ws.mid, rows, c.intermediate(), fc1b);
        fc2.forward(ws.mid, rows, ws.tmp);
        Rows.addResidual(ws.x, ws.tmp, rows, d, fc2b);
    }
}
