package dev.jlava.llava;

import dev.jlava.kernel.Parallel;
import dev.jlava.llm.Decoder;
import dev.jlava.llm.DecoderConfig;
import dev.jlava.llm.KvCache;
import dev.jlava.llm.RandomDecoder;
import dev.jlava.tensor.RandomTensors;
import dev.jlava.vision.Activation;
import dev.jlava.vision.VisionConfig;
import dev.jlava.vision.VisionTower;

/**
 * Gets the JIT to compile the hot kernels while a model loads, on the core the loading leaves
 * idle: a tiny vision tower (the GEMM micro-kernel with whole and ragged tiles, the tower's
 * attention, LayerNorm, GELU, the projector's activation) and a tiny decoder (prefill, decode
 * steps), again and again until {@link #close}.
 *
 * <p>Why: Vector API code runs as plain Java objects until C2 compiles it, tens of times slower,
 * and C2 compiles a method only after thousands of calls. A 32-frame video's first chunk of
 * frames took 32.0 s instead of 12.9 s in a fresh JVM (Zen 5, 2 threads): a fifth of the time
 * to first token went to warming up. With this running during the 0.5B model's load, the first
 * chunk took 13.9 s (docs/performance.md, session 17). Nothing it computes is kept; compiled code
 * gives the same results as interpreted code (the kernels' exp and lane sums are written for that).
 *
 * <p>It starts only with at least two worker threads (with one, it would compete with the load)
 * and {@code -Djlava.warmup} not false. {@link #close} stops it at the end of its current step
 * (a few milliseconds) and waits, so it never overlaps the work being timed.
 */
public final class JitWarmUp implements AutoCloseable {
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("jlava.warmup", "true"));

    private final Thread thread;
    private volatile boolean stop;
    private volatile int steps;

    private JitWarmUp(boolean vision) {
        if (!ENABLED || Parallel.threads() < 2) {
            thread = null;
            return;
        }
        thread = new Thread(() -> {
            try {
                run(vision);
            } catch (Throwable t) {
                // a warm-up that fails (out of memory, say) only leaves the JIT colder; the request reports its own errors
            }
        }, "jlava-warmup");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    /** Warms the vision tower's and the decoder's kernels. */
    public static JitWarmUp visionAndDecoder() {
        return new JitWarmUp(true);
    }

    /** Warms the decoder's kernels only (text models). */
    public static JitWarmUp decoder() {
        return new JitWarmUp(false);
    }

    /** Whether a warm-up thread was started. */
    public boolean started() {
        return thread != null;
    }

    /** Warm-up steps completed so far (for tests and logs). */
    public int steps() {
        return steps;
    }

    private void run(boolean vision) {
        // SigLIP-like: 7 x 7 = 49 tokens per frame (8 strips of 6 rows and a ragged one, two query
        // blocks at 512 bits), hidden 96 (3 panels of 32 columns), 4 heads of 24 (a ragged row strip in P V)
        VisionConfig vc = new VisionConfig(VisionConfig.Family.SIGLIP, 96, 200, 2, 4, 3, 98, 14, 1e-6,
                Activation.GELU_TANH, new int[] {-1}, VisionConfig.Strategy.FULL, Activation.GELU_ERF, true);
        VisionTower tower = vision ? RandomLlava.randomTower(vc, 1) : null;
        float[] pixels = vision ? new RandomTensors(5).values(2 * 3 * 98 * 98, 0.5f, 0f) : null;
        DecoderConfig dc = new DecoderConfig(DecoderConfig.Architecture.QWEN2, 64, 2, 4, 2, 16, 128, 512, 1e6, 1e-6f,
                true, true, DecoderConfig.RopeStyle.NEOX, 4096);
        Decoder decoder = RandomDecoder.create(dc, 3);
        int[] prompt = new int[45];
        int[] positions = new int[45];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 37) % dc.vocab();
            positions[i] = i;
        }
        while (!stop) {
            if (tower != null) tower.forward(pixels, 2);
            KvCache cache = decoder.newCache();
            decoder.forward(prompt, positions, cache, Decoder.Options.LAST_LOGITS);
            for (int t = 0; t < 8 && !stop; t++) {
                decoder.forward(new int[] {t}, new int[] {prompt.length + t}, cache, Decoder.Options.LAST_LOGITS);
            }
            steps++;
        }
    }

    /** Stops the warm-up after its current step and waits for it. */
    @Override
    public void close() {
        stop = true;
        if (thread == null) return;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
