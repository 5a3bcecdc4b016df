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
 * KernelProbes crossover          m GEMVs vs GEMM for small m (run with -Djlava.gemm.minRows=1 and =1000)
 * </pre>
 */
public final class KernelProbes {
    private KernelProbes() {}

    private static final ThreadMXBean TM = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        Parallel.setThreads(1);
        switch (args.length > 0 ? args[0] : "") {
            case "micro" -> micro();
            case "pack" -> pack(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), DType.valueOf(args[4]));
            case "crossover" -> crossover();
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
