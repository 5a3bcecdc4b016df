package dev.jlava.vision;

import dev.jlava.io.InMemoryWeights;
import dev.jlava.kernel.Linear;
import dev.jlava.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Time per frame of the SigLIP-so400m shape (hidden 1152, intermediate 4304, 16 heads, 384 px,
 * patch 14: 729 tokens) with random weights. Running all 26 layers on the reference kernels takes
 * minutes, so it runs {@code L} layers and extrapolates: time(26) = embed + 26 x per-layer.
 * Not part of CI (tag "slow"); run: {@code java ... dev.jlava.vision.VisionTowerBench [layers] [frames]}.
 */
@Tag("slow")
class VisionTowerBench {
    static final VisionConfig SO400M = new VisionConfig(VisionConfig.Family.SIGLIP, 1152, 4304, 26, 16, 3, 384, 14, 1e-6,
            Activation.GELU_TANH, new int[] {-1}, VisionConfig.Strategy.FULL, Activation.GELU_ERF, true);

    @Test
    void so400m() {
        run(1, 1);
    }

    public static void main(String[] args) {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 2, args.length > 1 ? Integer.parseInt(args[1]) : 1);
    }

    static Tensor random(Random r, String name, double std, long... shape) {
        float[] a = new float[Math.toIntExact(Tensor.numel(shape))];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * std);
        return Tensor.ofFloats(name, a, shape);
    }

    /** Random weights for the first {@code layers} layers only (the tower loads no more). */
    static InMemoryWeights weights(VisionConfig c, int layers) {
        Random r = new Random(42);
        int d = c.hidden(), m = c.intermediate();
        String p = "vision_tower.vision_model.", e = p + "embeddings.";
        InMemoryWeights w = new InMemoryWeights("so400m random");
        w.put(random(r, e + "patch_embedding.weight", 0.02, d, 3, 14, 14)).put(random(r, e + "patch_embedding.bias", 0.02, d));
        w.put(random(r, e + "position_embedding.weight", 0.1, c.tokens(), d));
        for (int l = 0; l < layers; l++) {
            String q = p + "encoder.layers." + l + ".";
            for (String n : new String[] {"layer_norm1", "layer_norm2"}) {
                w.put(random(r, q + n + ".weight", 0.1, d)).put(random(r, q + n + ".bias", 0.05, d));
            }
            for (String n : new String[] {"q", "k", "v", "out"}) {
                w.put(random(r, q + "self_attn." + n + "_proj.weight", 0.03, d, d)).put(random(r, q + "self_attn." + n + "_proj.bias", 0.02, d));
            }
            w.put(random(r, q + "mlp.fc1.weight", 0.03, m, d)).put(random(r, q + "mlp.fc1.bias", 0.02, m));
            w.put(random(r, q + "mlp.fc2.weight", 0.015, d, m)).put(random(r, q + "mlp.fc2.bias", 0.02, d));
        }
        return w;
    }

    static double seconds(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    static void run(int layers, int frames) {
        VisionConfig c = SO400M;
        int t = c.tokens(), d = c.hidden(), m = c.intermediate(), k = 3 * 14 * 14;
        double layerFlops = 2.0 * t * (4.0 * d * d + 2.0 * d * m) + 4.0 * t * (double) t * d; // GEMMs + QK^T and PV
        double embedFlops = 2.0 * c.patches() * d * k;
        System.out.printf("SigLIP so400m shape: %d tokens, %.1f GFLOP per layer per frame, %.2f GFLOP patch embedding; %d thread(s) available%n",
                t, layerFlops / 1e9, embedFlops / 1e9, Runtime.getRuntime().availableProcessors());

        // warm-up on a small tower so the JIT has compiled the loops
        VisionConfig small = RandomTowers.config(VisionConfig.Family.SIGLIP, 64, 128, 2, 4, 3, 56, 14, Activation.GELU_TANH, VisionConfig.Strategy.FULL, -1);
        VisionTower warm = VisionTower.load(small, RandomTowers.store(small, RandomTowers.weights(small, 8, 1), 8), RandomTowers.PREFIX);
        for (int i = 0; i < 20; i++) warm.forward(RandomTowers.pixels(small, 2, i), 2, VisionRequest.HOLITOM);

        InMemoryWeights w = weights(c, layers);
        float[] px = RandomTowers.pixels(c, frames, 7);
        VisionTower embOnly = VisionTower.load(c.withFeatureLayers(0), w, "vision_tower.vision_model.");
        VisionTower tower = VisionTower.load(c.withFeatureLayers(layers), w, "vision_tower.vision_model.");
        double te = seconds(() -> embOnly.forward(px, frames)) / frames;
        double tl = seconds(() -> tower.forward(px, frames, VisionRequest.HOLITOM)) / frames;
        double perLayer = (tl - te) / layers;
        System.out.printf("patch embedding: %.3f s/frame (%.2f GFLOP/s)%n", te, embedFlops / te / 1e9);
        System.out.printf("%d layer(s): %.2f s/frame -> %.2f s per layer (%.2f GFLOP/s)%n", layers, tl, perLayer, layerFlops / perLayer / 1e9);
        for (int total : new int[] {26, 27}) {
            double tf = te + total * perLayer;
            System.out.printf("extrapolated %d layers: %.1f s/frame, %.1f GFLOP/frame, %.2f GFLOP/s%n", total, tf,
                    (embedFlops + total * layerFlops) / 1e9, (embedFlops + total * layerFlops) / tf / 1e9);
        }

        // where a layer's time goes: one fc1 GEMM and one frame's attention (16 heads)
        Linear fc1 = Linear.of(random(new Random(1), "fc1", 0.03, m, d));
        float[] x = new float[t * d], y = new float[t * m];
        double tg = seconds(() -> fc1.forward(x, t, y));
        System.out.printf("one fc1 GEMM (%dx%d . %dx%d): %.3f s = %.2f GFLOP/s%n", t, d, d, m, tg, 2.0 * t * d * m / tg / 1e9);
        SelfAttention att = new SelfAttention(c);
        float[] q = RandomTowers.rand(new Random(2), t * d, 1, 0), kk = RandomTowers.rand(new Random(3), t * d, 1, 0), v = q.clone(), o = new float[t * d];
        double ta = seconds(() -> att.forward(q, kk, v, 0, o, null));
        System.out.printf("attention of one frame (16 heads): %.3f s = %.2f GFLOP/s%n", ta, 4.0 * t * t * d / ta / 1e9);

        // the work around the GEMMs, per layer and frame: 2 LayerNorms, 6 bias/residual passes, GELU, 16 x 729 softmax rows
        float[] lw = new float[d], lb = new float[d], h = new float[t * d], sc = RandomTowers.rand(new Random(4), t * t, 3, 0);
        java.util.Arrays.fill(lw, 1f);
        for (int i = 0; i < 3; i++) { // warm
            LayerNorm.apply(q, t, d, lw, lb, 1e-6, h);
            Activation.GELU_TANH.apply(y, 0, y.length);
        }
        double tn = seconds(() -> {
            for (int i = 0; i < 2; i++) LayerNorm.apply(q, t, d, lw, lb, 1e-6, h);
            for (int i = 0; i < 4; i++) Rows.addBias(h, t, d, lb);
            Rows.addBias(y, t, m, new float[m]);
            for (int i = 0; i < 2; i++) Rows.addResidual(h, o, t, d, lb);
            Activation.GELU_TANH.apply(y, 0, y.length);
            for (int hh = 0; hh < 16; hh++) for (int i = 0; i < t; i++) dev.jlava.kernel.VectorExp.softmax(sc, i * t, t, 0.1f);
        });
        System.out.printf("non-GEMM work of one layer and frame: %.3f s%n", tn);
    }
}
