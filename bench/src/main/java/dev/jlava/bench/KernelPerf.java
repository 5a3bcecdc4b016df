package dev.jlava.bench;

import dev.jlava.kernel.Attention;
import dev.jlava.kernel.EncoderAttention;
import dev.jlava.kernel.FmaPeak;
import dev.jlava.kernel.HeapAlignment;
import dev.jlava.kernel.Gemm;
import dev.jlava.kernel.Linear;
import dev.jlava.kernel.Parallel;
import dev.jlava.kernel.Simd;
import dev.jlava.kernel.VectorExp;
import dev.jlava.kernel.WeightCodec;
import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Quick kernel measurements (best of several timed repetitions), for docs/performance.md.
 * Run: {@code java --add-modules jdk.incubator.vector -cp core/target/classes:bench/target/classes
 * dev.jlava.bench.KernelPerf [peak|gemm|gemv|abt|encattn|decattn|scaling|all] [threads...]}. Add -Xlog:gc to check that
 * steady-state loops allocate nothing (no GC lines after warm-up).
 */
public final class KernelPerf {
    private KernelPerf() {}

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "all";
        List<Integer> threads = new ArrayList<>();
        for (int i = 1; i < args.length; i++) threads.add(Integer.parseInt(args[i]));
        if (threads.isEmpty()) threads = List.of(1, 2);
        System.out.printf(Locale.ROOT, "species %d bits, %d processors%n", Simd.bits(), Runtime.getRuntime().availableProcessors());
        for (int t : threads) {
            Parallel.setThreads(t);
            if (what.equals("peak") || what.equals("all")) peak(t);
            if (what.equals("gemm") || what.equals("all")) {
                for (DType d : dtypes()) gemm(d, 512, 896, 896, t);
                for (DType d : dtypes()) gemm(d, 512, 4864, 896, t);
                for (DType d : dtypes()) gemm(d, 729, 4304, 1152, t);
            }
            if (what.equals("gemv") || what.equals("all")) {
                for (DType d : dtypes()) gemv(d, 4864, 896, t);
                for (DType d : dtypes()) gemv(d, 896, 4864, t);
            }
            if (what.equals("gccheck")) {
                for (DType d : dtypes()) gcCheck(d, 512, 896, 896, t);
                for (DType d : dtypes()) gcCheck(d, 1, 4864, 896, t);
                continue;
            }
            if (what.equals("gemvscaling")) {
                for (DType d : dtypes()) gemvScaling(d, 4864, 896, 10);
                for (DType d : dtypes()) gemvScaling(d, 896, 4864, 10);
                return;
            }
            if (what.equals("scaling")) {
                scaling(DType.F32, 512, 896, 896, 30);
                scaling(DType.BF16, 729, 4304, 1152, 30);
                scaling(DType.Q8_0, 512, 4864, 896, 30);
                return;
            }
            if (what.equals("encattn") || what.equals("all")) {
                encoderAttention(16, 729, 72, t); // SigLIP-so400m, one frame
                encoderAttention(16, 577, 64, t); // CLIP ViT-L/14-336
            }
            if (what.equals("decattn") || what.equals("all")) {
                decodeAttention(14, 2, 64, 6320, t); // Qwen2-0.5B at the 32-frame video prompt's length
                decodeAttention(28, 4, 128, 6320, t); // Qwen2-7B
            }
            if (what.equals("abt") || what.equals("all")) {
                abT(512, 512, 64, t);
                ab(512, 64, 512, t);
                abT(729, 729, 72, t);
                abT(1024, 1024, 1024, t);
            }
        }
    }

    static List<DType> dtypes() {
        String s = System.getProperty("dtypes", "F32,F16,BF16,Q8_0,Q4_0");
        List<DType> out = new ArrayList<>();
        for (String p : s.split(",")) out.add(DType.valueOf(p.trim()));
        return out;
    }

    /** A tight register-only FMA loop on every thread: the machine's vector FMA peak. */
    static void peak(int threads) throws Exception {
        System.out.printf(Locale.ROOT, "peak   threads=%d  FMA loop %.1f GFLOP/s%n", threads, FmaPeak.measure(threads, 5, 50_000_000L));
    }

    /** A weight in native memory, as a memory-mapped file would give it. */
    public static Tensor nativeWeight(DType d, int out, int in, long seed) {
        float[] w = new float[out * in];
        Random rnd = new Random(seed);
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextGaussian() * 0.05);
        byte[] bytes = WeightCodec.encode(d, w, out, in);
        MemorySegment seg = Arena.global().allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, 0, bytes.length);
        return new Tensor("w", d, new long[] {out, in}, seg);
    }

    public static float[] input(int n) {
        float[] x = new float[n];
        Random rnd = new Random(1);
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    static void gemm(DType d, int m, int n, int k, int threads) throws InterruptedException {
        Linear lin = Linear.of(nativeWeight(d, n, k, 7));
        float[] x = input(m * k), y = new float[m * n];
        double flop = 2.0 * m * n * k;
        double best = time(() -> lin.forward(x, m, y), flop, 3.0);
        long alloc = lastAllocPerCall;
        double peak = FmaPeak.measure(threads, 3, 20_000_000L); // right after: the machine is shared, its speed drifts
        System.out.printf(Locale.ROOT, "gemm   threads=%d  %-5s m=%d n=%d k=%d  %.1f GFLOP/s = %.0f%% of FMA peak %.1f  (%.2f ms, %d B/call allocated)%n",
                threads, d, m, n, k, flop / best, 100 * flop / best / peak, peak, best / 1e6, alloc);
    }

    /**
     * GEMV twice: "L3" calls the same weight again and again (it stays in the 32 MiB L3), "DRAM"
     * cycles through copies totalling 512 MiB, as decode walks through a real model's layers.
     */
    static void gemv(DType d, int n, int k, int threads) {
        Tensor w = nativeWeight(d, n, k, 9);
        Linear lin = Linear.of(w);
        float[] x = input(k), y = new float[n];
        double flop = 2.0 * n * k;
        long bytes = w.data().byteSize();
        double hot = time(() -> lin.forward(x, 1, y), flop, 2.0);
        long hotAlloc = lastAllocPerCall;
        int copies = (int) Math.max(2, (512L << 20) / bytes);
        Linear[] cold = new Linear[copies];
        for (int i = 0; i < copies; i++) {
            MemorySegment seg = Arena.global().allocate(bytes, 64);
            MemorySegment.copy(w.data(), 0, seg, 0, bytes);
            cold[i] = Linear.of(new Tensor("w" + i, d, new long[] {n, k}, seg));
        }
        int[] next = {0};
        double dram = time(() -> {
            cold[next[0]].forward(x, 1, y);
            next[0] = (next[0] + 1) % copies;
        }, flop, 2.0);
        System.out.printf(Locale.ROOT, "gemv   threads=%d  %-5s %dx%d  L3: %.1f GFLOP/s %.1f GB/s (%.0f us)   DRAM: %.1f GFLOP/s %.1f GB/s (%.0f us)  %d B/call allocated%n",
                threads, d, n, k, flop / hot, bytes / hot, hot / 1e3, flop / dram, bytes / dram, dram / 1e3, hotAlloc);
    }

    /**
     * Two-thread scaling on a shared machine: alternates single calls on 1 and 2 threads (and
     * short FMA-peak probes) for {@code seconds}, keeping the best of each, so that quiet moments
     * of the other tenants are caught for both.
     */
    static void scaling(DType d, int m, int n, int k, int seconds) throws InterruptedException {
        Linear lin = Linear.of(nativeWeight(d, n, k, 7));
        float[] x = input(m * k), y = new float[m * n];
        double flop = 2.0 * m * n * k;
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        double[] peak = {0, 0};
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        for (int t = 1; t <= 2; t++) { // warm-up
            Parallel.setThreads(t);
            for (int i = 0; i < 5; i++) lin.forward(x, m, y);
        }
        while (System.nanoTime() < end) {
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                long t0 = System.nanoTime();
                lin.forward(x, m, y);
                best[t - 1] = Math.min(best[t - 1], System.nanoTime() - t0);
                peak[t - 1] = Math.max(peak[t - 1], FmaPeak.measure(t, 1, 2_000_000L));
            }
        }
        System.out.printf(Locale.ROOT, "scaling %-5s m=%d n=%d k=%d  1 thread %.1f GFLOP/s (%.0f%% of %.1f), 2 threads %.1f GFLOP/s (%.0f%% of %.1f), speed-up %.2f%n",
                d, m, n, k, flop / best[0], 100 * flop / best[0] / peak[0], peak[0], flop / best[1], 100 * flop / best[1] / peak[1], peak[1], best[0] / best[1]);
    }

    /** GEMV from DRAM (copies totalling 512 MiB), alternating 1 and 2 threads, best of each over {@code seconds}. */
    static void gemvScaling(DType d, int n, int k, int seconds) {
        Tensor w = nativeWeight(d, n, k, 9);
        long bytes = w.data().byteSize();
        int copies = (int) Math.max(2, (512L << 20) / bytes);
        Linear[] cold = new Linear[copies];
        for (int i = 0; i < copies; i++) {
            MemorySegment seg = Arena.global().allocate(bytes, 64);
            MemorySegment.copy(w.data(), 0, seg, 0, bytes);
            cold[i] = Linear.of(new Tensor("w" + i, d, new long[] {n, k}, seg));
        }
        float[] x = input(k), y = new float[n];
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        int next = 0;
        for (int t = 1; t <= 2; t++) {
            Parallel.setThreads(t);
            for (int i = 0; i < 2000; i++) cold[i % copies].forward(x, 1, y);
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                for (int i = 0; i < 20; i++) {
                    long t0 = System.nanoTime();
                    cold[next].forward(x, 1, y);
                    best[t - 1] = Math.min(best[t - 1], System.nanoTime() - t0);
                    next = (next + 1) % copies;
                }
            }
        }
        System.out.printf(Locale.ROOT, "gemv-dram %-5s %dx%d (%.1f MB)  1 thread %.1f GB/s (%.0f us), 2 threads %.1f GB/s (%.0f us)%n",
                d, n, k, bytes / 1e6, bytes / best[0], best[0] / 1e3, bytes / best[1], best[1] / 1e3);
    }

    /** Counts garbage collections during 3 s of steady-state calls (after 3 s of warm-up): expect 0. */
    static void gcCheck(DType d, int m, int n, int k, int threads) {
        Linear lin = Linear.of(nativeWeight(d, n, k, 7));
        float[] x = input(m * k), y = new float[m * n];
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) lin.forward(x, m, y);
        long gcs0 = gcCount(), calls = 0;
        end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
            lin.forward(x, m, y);
            calls++;
        }
        System.out.printf(Locale.ROOT, "gc     threads=%d  %-5s m=%d n=%d k=%d  %d calls, %d GCs%n", threads, d, m, n, k, calls, gcCount() - gcs0);
    }

    static long gcCount() {
        long n = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
        return n;
    }

    static void abT(int m, int n, int k, int threads) throws InterruptedException {
        float[] a = input(m * k), b = input(n * k), c = new float[m * n];
        double flop = 2.0 * m * n * k;
        double best = time(() -> Gemm.abT(a, 0, k, b, 0, k, c, 0, n, m, n, k, 1f, false), flop, 2.0);
        System.out.printf(Locale.ROOT, "abT    threads=%d  m=%d n=%d k=%d  %.1f GFLOP/s%n", threads, m, n, k, flop / best);
    }

    static void ab(int m, int n, int k, int threads) {
        float[] a = input(m * k), b = input(k * n), c = new float[m * n];
        double flop = 2.0 * m * n * k;
        double best = time(() -> Gemm.ab(a, 0, k, b, 0, n, c, 0, n, m, n, k, 1f, false), flop, 2.0);
        System.out.printf(Locale.ROOT, "ab     threads=%d  m=%d n=%d k=%d  %.1f GFLOP/s%n", threads, m, n, k, flop / best);
    }

    /** -Dkernelperf.aligned=false: decode attention on rows 16 bytes past a line, the layout before session 18. */
    static final boolean ALIGNED = Boolean.parseBoolean(System.getProperty("kernelperf.aligned", "true"));

    /**
     * One decode step's attention for one layer (one query row against a cache of len entries,
     * {@link Attention#causal} with n = 1): scores, softmax and P V. FLOPs 4 heads len headDim.
     * Twice, like {@link #gemv}: "L3" repeats one layer's keys and values (at these lengths they
     * fit in L3), "DRAM" cycles through 24 layers' caches, as a decode step does.
     */
    static void decodeAttention(int heads, int kvHeads, int headDim, int len, int threads) {
        int layers = 24;
        float[] q = input(heads * headDim);
        float[][] kc = new float[layers][], vc = new float[layers][];
        int[] ko = new int[layers], vo = new int[layers];
        for (int l = 0; l < layers; l++) { // rows on cache lines, as KvCache lays them out
            kc[l] = input(len * kvHeads * headDim + 15);
            vc[l] = input(len * kvHeads * headDim + 15);
            ko[l] = ALIGNED ? HeapAlignment.floatPad(kc[l]) : 0;
            vo[l] = ALIGNED ? HeapAlignment.floatPad(vc[l]) : 0;
        }
        float[] out = new float[heads * headDim];
        double flop = 4.0 * heads * len * headDim;
        double l3 = time(() -> Attention.causal(q, 1, heads, kvHeads, headDim, kc[0], ko[0], vc[0], vo[0], len, out, null), flop, 2.0);
        int[] next = {0};
        double dram = time(() -> {
            int l = next[0] = (next[0] + 1) % layers;
            Attention.causal(q, 1, heads, kvHeads, headDim, kc[l], ko[l], vc[l], vo[l], len, out, null);
        }, flop, 2.0);
        float[] probs = new float[heads * len];
        double scores = time(() -> Attention.rowProbabilities(q, heads, kvHeads, headDim, kc[0], ko[0], len, probs), flop / 2, 2.0);
        double mb = 8.0 * len * kvHeads * headDim / 1e6;
        System.out.printf(Locale.ROOT, "decattn threads=%d  heads=%d kv=%d dim=%d len=%d  keys+values %.1f MB per layer: L3 %.1f us (%.1f GFLOP/s; scores and softmax alone %.1f us), DRAM %.1f us (%.1f GFLOP/s, %.1f GB/s)%n",
                threads, heads, kvHeads, headDim, len, mb, l3 / 1e3, flop / l3, scores / 1e3, dram / 1e3, flop / dram, mb * 1e6 / dram);
    }

    /**
     * One vision layer's attention for one frame (heads over the pool, whole heads per thread, as
     * the tower runs it), alternated in this process: {@link EncoderAttention} (query blocks,
     * transposed scores) against the untiled path it replaced (T x T scores by {@code Gemm.abT},
     * a row softmax ({@link VectorExp#softmax}), then {@code Gemm.ab}). FLOPs 4 heads t^2 headDim.
     */
    static void encoderAttention(int heads, int t, int headDim, int threads) {
        int d = heads * headDim;
        float[] q = input(t * d), k = input(t * d), v = input(t * d), out = new float[t * d];
        for (int i = 0; i < k.length; i++) k[i] *= 0.5f;
        float scale = (float) (1 / Math.sqrt(headDim));
        ThreadLocal<float[]> probs = ThreadLocal.withInitial(() -> new float[t * t]);
        Runnable blocked = () -> Parallel.forRangeDynamic(heads, 1, 4, (h0, h1) -> {
            for (int h = h0; h < h1; h++) EncoderAttention.head(q, k, v, out, h * headDim, d, t, headDim, scale);
        });
        Runnable untiled = () -> Parallel.forRangeDynamic(heads, 1, 4, (h0, h1) -> {
            float[] p = probs.get();
            for (int h = h0; h < h1; h++) {
                int at = h * headDim;
                Gemm.abT(q, at, d, k, at, d, p, 0, t, t, t, headDim, 1f, false);
                for (int i = 0; i < t; i++) VectorExp.softmax(p, i * t, t, scale);
                Gemm.ab(p, 0, t, v, at, d, out, at, d, t, headDim, t, 1f, false);
            }
        });
        double flop = 4.0 * heads * t * t * headDim;
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE}, sum = new double[2];
        int rounds = 40;
        for (int r = 0; r < 10; r++) { blocked.run(); untiled.run(); }
        for (int r = 0; r < rounds; r++) {
            for (int which = 0; which < 2; which++) {
                long t0 = System.nanoTime();
                (which == 0 ? untiled : blocked).run();
                long ns = System.nanoTime() - t0;
                best[which] = Math.min(best[which], ns);
                sum[which] += ns;
            }
        }
        System.out.printf(Locale.ROOT, "encattn threads=%d  heads=%d t=%d dim=%d  untiled best %.0f us mean %.0f us (%.1f GFLOP/s)  blocked best %.0f us mean %.0f us (%.1f GFLOP/s)%n",
                threads, heads, t, headDim, best[0] / 1e3, sum[0] / rounds / 1e3, flop / best[0], best[1] / 1e3, sum[1] / rounds / 1e3, flop / best[1]);
    }

    /** Heap bytes the calling thread allocated per call in the last {@link #time} (vectors boxed by the JIT show up here). */
    static long lastAllocPerCall;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** Best nanoseconds per call over ~seconds of repetitions (after a warm-up of the same length). */
    static double time(Runnable r, double flop, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) r.run();
        double best = Double.MAX_VALUE;
        long calls = 0;
        long alloc0 = THREADS.getCurrentThreadAllocatedBytes();
        end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, System.nanoTime() - t0);
            calls++;
        } while (System.nanoTime() < end);
        lastAllocPerCall = (THREADS.getCurrentThreadAllocatedBytes() - alloc0) / calls;
        return best;
    }
}
