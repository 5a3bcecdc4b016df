package dev.jlava.vision;

import dev.jlava.io.WeightLoader;

import dev.jlava.io.WeightStore;

/**
 * The vision encoder of a LLaVA model (SigLIP or CLIP, HF transformers semantics): pixel values
 * [F][C][H][W] to the configured feature layer(s) of every frame, plus, on request, the deepest
 * layer's attention statistics. Only the layers up to the deepest selected hidden state are
 * loaded and run; {@code post_layernorm} (and SigLIP's head) are never used by LLaVA.
 *
 * <p>Frames are processed in chunks: the linear layers see all rows of a chunk at once (bigger
 * GEMMs), attention runs per frame and head. Single-threaded here; parallelism comes from the
 * {@link dev.jlava.kernel.Linear} kernels. Concurrent calls are safe: each allocates its own
 * buffers and the weights are read-only.
 */
public final class VisionTower {
    /** Rows (frames x tokens) per chunk: about 5 SigLIP frames; at least one frame. */
    public static final int DEFAULT_CHUNK_ROWS = 4096;

    private final VisionConfig config;
    private final Embeddings embeddings;
    private final EncoderLayer[] layers;
    private final int chunkRows;

    private VisionTower(VisionConfig config, Embeddings embeddings, EncoderLayer[] layers, int chunkRows) {
        this.config = config;
        this.embeddings = embeddings;
        this.layers = layers;
        this.chunkRows = chunkRows;
    }

    /**
     * Loads the tower's tensors named {@code prefix + "embeddings.patch_embedding.weight"} etc.;
     * prefix is {@code "vision_tower.vision_model."} (llava-hf hub files) or
     * {@code "model.vision_tower.vision_model."} (transformers >= 4.52), see {@link LlavaTensorNames}.
     */
    public static VisionTower load(VisionConfig c, WeightStore store, String prefix) {
        WeightLoader ld = new WeightLoader(store);
        int d = c.hidden();
        String e = prefix + "embeddings.";
        long[] conv = {d, c.channels(), c.patchSize(), c.patchSize()};
        Embeddings emb;
        if (c.family() == VisionConfig.Family.SIGLIP) {
            PatchEmbedding pe = new PatchEmbedding(ld.flattened(e + "patch_embedding.weight", conv), ld.vector(e + "patch_embedding.bias", d), c);
            emb = new SiglipEmbeddings(pe, ld.tensor(e + "position_embedding.weight", c.tokens(), d).toFloatArray(), d);
        } else {
            PatchEmbedding pe = new PatchEmbedding(ld.flattened(e + "patch_embedding.weight", conv), null, c);
            emb = new ClipEmbeddings(pe, ld.vector(e + "class_embedding", d),
                    ld.tensor(e + "position_embedding.weight", c.tokens(), d).toFloatArray(),
                    ld.vector(prefix + "pre_layrnorm.weight", d), ld.vector(prefix + "pre_layrnorm.bias", d), c);
        }
        EncoderLayer[] layers = new EncoderLayer[c.layersToRun()];
        for (int l = 0; l < layers.length; l++) layers[l] = EncoderLayer.load(ld, prefix + "encoder.layers." + l + ".", c);
        return new VisionTower(c, emb, layers, DEFAULT_CHUNK_ROWS);
    }

    public VisionConfig config() { return config; }

    /** The same tower processing at most {@code rows} rows (but at least one frame) per chunk. */
    public VisionTower withChunkRows(int rows) {
        if (rows <= 0) throw new IllegalArgumentException("chunk rows must be positive");
        return new VisionTower(config, embeddings, layers, rows);
    }

    /** Features only. */
    public VisionOutput forward(float[] pixels, int frames) {
        return forward(pixels, frames, VisionRequest.FEATURES);
    }

    /**
     * @param pixels [frames][channels][imageSize][imageSize] normalized pixel values
     */
    public VisionOutput forward(float[] pixels, int frames, VisionRequest req) {
        VisionConfig c = config;
        long frameSize = (long) c.channels() * c.imageSize() * c.imageSize();
        if (frames <= 0 || pixels.length != frames * frameSize) {
            throw new IllegalArgumentException("pixel values: " + pixels.length + " floats for " + frames + " frames of "
                    + c.channels() + "x" + c.imageSize() + "x" + c.imageSize());
        }
        if (req.tapsAttention() && layers.length == 0) {
            throw new IllegalArgumentException("attention was requested but the feature layer is the embeddings (no encoder layer runs)");
        }
        if (req.score() == AttentionScore.CLS_HEAD_SUM && !c.hasCls()) {
            throw new IllegalArgumentException("CLS attention was requested but a " + c.family() + " tower has no CLS token");
        }
        int t = c.tokens(), d = c.hidden();
        int first = req.allTokens() || c.strategy() == VisionConfig.Strategy.FULL ? 0 : 1;
        int outTokens = t - first;
        int[] selected = c.hiddenStateIndices();
        int outDim = d * selected.length;
        float[] features = new float[Math.multiplyExact(frames * outTokens, outDim)];
        AttentionTap tap = req.tapsAttention() ? new AttentionTap(req.score(), req.keyMetric(), frames, c) : null;

        int chunk = Math.max(1, Math.min(frames, chunkRows / t));
        EncoderLayer.Workspace ws = new EncoderLayer.Workspace(chunk * t, c);
        for (int f0 = 0; f0 < frames; f0 += chunk) {
            int n = Math.min(chunk, frames - f0);
            embeddings.embed(pixels, f0, n, ws.x);
            collect(ws.x, 0, selected, f0, n, first, outTokens, outDim, features);
            for (int l = 0; l < layers.length; l++) {
                layers[l].forward(ws, n, c, l == layers.length - 1 ? tap : null, f0);
                collect(ws.x, l + 1, selected, f0, n, first, outTokens, outDim, features);
            }
        }
        return new VisionOutput(features, frames, outTokens, outDim,
                tap == null ? null : tap.scores(), AttentionTap.scoreLength(req.score(), c),
                tap == null ? null : tap.keys(), req.keyMetric() ? c.patches() : 0, req.keyMetric() ? c.headDim() : 0);
    }

    /** Copies hidden_states[index] of the chunk into every feature slot that selects it. */
    private void collect(float[] x, int index, int[] selected, int f0, int n, int first, int outTokens, int outDim, float[] features) {
        int t = config.tokens(), d = config.hidden();
        for (int s = 0; s < selected.length; s++) {
            if (selected[s] != index) continue;
            for (int f = 0; f < n; f++) {
                for (int i = 0; i < outTokens; i++) {
                    System.arraycopy(x, (f * t + first + i) * d, features, ((f0 + f) * outTokens + i) * outDim + s * d, d);
                }
            }
        }
    }
}
