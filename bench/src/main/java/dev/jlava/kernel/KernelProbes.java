package dev.jlava.kernel;

import dev.jlava.bench.KernelPerf;
import dev.jlava.tensor.DType;
import dev.jlava.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * Probes of kernel internals quoted in docs/performance.md (in the kernel package to reach
 * package-private parts; single thread; best of many repetitions, thread CPU time).
 * <pre>
 * KernelProbes micro              micro-kernel with A and B in L1 vs the FMA loop
 * KernelProbes pack m n k dtype   GEMM with and without panel packing
 * KernelProbes wide m n k threads  packed-panel GEMM (the tower's path) with 12-row strips and with 6-row strips, alternated
 * KernelProbes ablock m n k threads kib1 kib2   packed-panel GEMM with row blocks of two A budgets, alternated
 * KernelProbes tower frames threads rounds   SigLIP-so400m tower with 12-row and 6-row strips, alternated
 * KernelProbes crossover          m GEMVs vs GEMM for small m (run with -Djlava.gemm.minRows=1 and =1000)
 * </pre>
 */
public final class KernelProbes {
    private KernelProbes() {}

    private static final ThreadMXBean TM = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws InterruptedException {
        Parallel.setThreads(1);
        switch (args.length > 0 ? args[0] : "") {
            case "micro" -> micro();
            case "pack" -> pack(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), DType.valueOf(args[4]));
            case "crossover" -> crossover();
            case "ablock" -> aBlock(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]));
            case "tower" -> tower(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "wide" -> wide(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            default -> System.out.println("usage: KernelProbes micro | pack m n k dtype | crossover");
        }
    }

    static double peak() {
        long iters = 2_000_000, t0 = TM.getCurrentThreadCpuTime();
        float r = FmaPeak.loop(iters);
        long t = TM.getCurrentThreadCpuTime() - t0;
        return r == 42 ? 0 : 2.0 * 12 * Simd.L * iters / t;
    }

    static void micro() {
        int kc = GemmKernel.KC, strips = 4, mr = GemmKernel.MR, nr = GemmKernel.NR;
        float[] a = KernelPerf.input(strips * mr * kc), b = KernelPerf.input(kc * nr), c = new float[strips * mr * nr];
        float[] tile = new float[mr * nr];
        double best = 0, peak = 0;
        for (int rep = 0; rep < 30; rep++) {
            long t0 = TM.getCurrentThreadCpuTime();
            for (int it = 0; it < 1000; it++)
                for (int s = 0; s < strips; s++) GemmKernel.micro(a, s * mr * kc, kc, b, 0, kc, c, s * mr * nr, nr, mr, nr, 1f, false, tile);
            best = Math.max(best, 2.0 * mr * nr * kc * strips * 1000 / (TM.getCurrentThreadCpuTime() - t0));
            peak = Math.max(peak, peak());
        }
        System.out.printf(Locale.ROOT, "micro-kernel %dx%d kc=%d: %.1f GFLOP/s, FMA loop %.1f (%.0f%%)%n", mr, nr, kc, best, peak, 100 * best / peak);
        if (!GemmKernel.WIDE_AVAILABLE) return;
        best = 0;
        float[] tile12 = new float[2 * mr * nr];
        for (int rep = 0; rep < 30; rep++) {
            long t0 = TM.getCurrentThreadCpuTime();
            for (int it = 0; it < 1000; it++)
                for (int s = 0; s < strips; s += 2) GemmKernel.micro12(a, s * mr * kc, kc, b, 0, kc, c, s * mr * nr, nr, nr, 1f, false, tile12);
            best = Math.max(best, 2.0 * mr * nr * kc * strips * 1000 / (TM.getCurrentThreadCpuTime() - t0));
        }
        System.out.printf(Locale.ROOT, "micro-kernel %dx%d kc=%d: %.1f GFLOP/s (%.0f%%)%n", 2 * mr, nr, kc, best, 100 * best / peak);
    }

    static void wide(int m, int n, int k, int threads) throws InterruptedException {
        boolean before = GemmKernel.wide;
        double[] r = alternated(m, n, k, threads, 40, v -> GemmKernel.wide = v == 0 && GemmKernel.WIDE_AVAILABLE);
        GemmKernel.wide = before;
        double peak = FmaPeak.measure(threads, 3, 20_000_000L);
        System.out.printf(Locale.ROOT, "%dx%dx%d, %d threads, FMA peak %.1f: 12-row strips best %.1f (%.0f%%) mean %.1f (%.0f%%); 6-row strips best %.1f (%.0f%%) mean %.1f (%.0f%%)%n",
                m, n, k, threads, peak, r[0], 100 * r[0] / peak, r[1], 100 * r[1] / peak, r[2], 100 * r[2] / peak, r[3], 100 * r[3] / peak);
    }

    static void aBlock(int m, int n, int k, int threads, int kib1, int kib2) throws InterruptedException {
        int[] kib = {kib1, kib2};
        int before = GemmKernel.aBlockBytes;
        double[] r = alternated(m, n, k, threads, 30, v -> GemmKernel.aBlockBytes = kib[v] << 10);
        GemmKernel.aBlockBytes = before;
        double peak = FmaPeak.measure(threads, 3, 20_000_000L);
        System.out.printf(Locale.ROOT, "%dx%dx%d, %d threads, FMA peak %.1f: A block %d KiB (%d rows) best %.0f%% mean %.0f%%; %d KiB (%d rows) best %.0f%% mean %.0f%%%n",
                m, n, k, threads, peak, kib1, mRows(kib1, k), 100 * r[0] / peak, 100 * r[1] / peak,
                kib2, mRows(kib2, k), 100 * r[2] / peak, 100 * r[3] / peak);
    }

    /**
     * A packed-panel GEMM (the tower's path) under two settings, alternated call by call after five
     * warm-up pairs: {best, mean} GFLOP/s of setting 0, then of setting 1.
     */
    private static double[] alternated(int m, int n, int k, int threads, int rounds, java.util.function.IntConsumer setting) {
        Parallel.setThreads(threads);
        PackedPanels w = PackedPanels.of(Gemm.transposedSource(KernelPerf.input(n * k), 0, k), n, k);
        float[] x = KernelPerf.input(m * k), y = new float[m * n];
        double flop = 2.0 * m * n * k;
        double[] best = new double[2], sum = new double[2];
        for (int rep = -5; rep < rounds; rep++) {
            for (int v = 0; v < 2; v++) {
                setting.accept(v);
                long t0 = System.nanoTime();
                GemmKernel.multiply(x, 0, k, w, y, 0, n, m, n, k, 1f, false);
                double r = flop / (System.nanoTime() - t0);
                if (rep >= 0) {
                    best[v] = Math.max(best[v], r);
                    sum[v] += r;
                }
            }
        }
        return new double[] {best[0], sum[0] / rounds, best[1], sum[1] / rounds};
    }

    private static int mRows(int kib, int k) {
        int before = GemmKernel.aBlockBytes;
        GemmKernel.aBlockBytes = kib << 10;
        int rows = GemmKernel.mBlock(GemmKernel.kBlock(k));
        GemmKernel.aBlockBytes = before;
        return rows;
    }

    static void tower(int frames, int threads, int rounds) throws InterruptedException {
        Parallel.setThreads(threads);
        dev.jlava.vision.VisionConfig vc = dev.jlava.llava.RandomLlava.visionShape("siglip-so400m");
        dev.jlava.vision.VisionTower tower = dev.jlava.llava.RandomLlava.randomTower(vc, 7);
        float[] pixels = new dev.jlava.tensor.RandomTensors(3).values(frames * 3 * vc.imageSize() * vc.imageSize(), 0.5f, 0f);
        double flop = dev.jlava.cost.VisionFlops.towerPerImage(vc) * frames / 1e9; // GFLOP
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE}, sum = new double[2];
        double peak = 0;
        boolean before = GemmKernel.wide;
        for (int rep = -1; rep < rounds; rep++) {
            for (int v = 0; v < 2; v++) {
                GemmKernel.wide = v == 0 && GemmKernel.WIDE_AVAILABLE;
                long t0 = System.nanoTime();
                tower.forward(pixels, frames);
                double sec = (System.nanoTime() - t0) / 1e9;
                if (rep >= 0) {
                    best[v] = Math.min(best[v], sec);
                    sum[v] += sec;
                }
            }
            peak = Math.max(peak, FmaPeak.measure(threads, 1, 20_000_000L));
        }
        GemmKernel.wide = before;
        System.out.printf(Locale.ROOT, "tower %d frames, %d threads, best FMA peak %.1f: 12-row strips best %.2f s/frame (%.0f%%) mean %.2f (%.0f%%); 6-row best %.2f (%.0f%%) mean %.2f (%.0f%%)%n",
                frames, threads, peak, best[0] / frames, 100 * flop / best[0] / peak, sum[0] / rounds / frames, 100 * flop * rounds / sum[0] / peak,
                best[1] / frames, 100 * flop / best[1] / peak, sum[1] / rounds / frames, 100 * flop * rounds / sum[1] / peak);
    }

    static void pack(int m, int n, int k, DType d) {
        Linear lin = Linear.of(KernelPerf.nativeWeight(d, n, k, 3));
        float[] x = KernelPerf.input(m * k), y = new float[m * n];
        GemmKernel.PanelSource none = (j0, nr, p0, kc, panel, off, s) -> {};
        double full = 0, noPack = 0, peak = 0, flop = 2.0 * m * n * k;
        for (int rep = 0; rep < 25; rep++) {
            long t0 = TM.getCurrentThreadCpuTime();
            lin.forward(x, m, y);
            full = Math.max(full, flop / (TM.getCurrentThreadCpuTime() - t0));
            t0 = TM.getCurrentThreadCpuTime();
            GemmKernel.block(x, 0, k, none, y, 0, n, 0, m, 0, n, k, 1f, false);
            noPack = Math.max(noPack, flop / (TM.getCurrentThreadCpuTime() - t0));
            peak = Math.max(peak, peak());
        }
        System.out.printf(Locale.ROOT, "%s %dx%dx%d: %.1f GFLOP/s, without packing %.1f, FMA loop %.1f (%.0f%% / %.0f%%)%n",
                d, m, n, k, full, noPack, peak, 100 * full / peak, 100 * noPack / peak);
    }

    static void crossover() {
        int n = 4864, k = 896;
        for (DType d : new DType[] {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0}) {
            Tensor w = KernelPerf.nativeWeight(d, n, k, 3);
            Linear lin = Linear.of(w);
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-5s (minRows %d):", d, WeightLinear.GEMM_MIN_ROWS));
            for (int m : new int[] {2, 4, 8, 12, 16, 24, 32}) {
                float[] x = KernelPerf.input(m * k), y = new float[m * n];
                for (int i = 0; i < 20; i++) lin.forward(x, m, y);
                double best = Double.MAX_VALUE;
                long end = System.nanoTime() + 600_000_000L;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    lin.forward(x, m, y);
                    best = Math.min(best, System.nanoTime() - t0);
                }
                sb.append(String.format(Locale.ROOT, " m=%d %.1fms", m, best / 1e6));
            }
            System.out.println(sb);
        }
    }
}
