package dev.jlava.kernel;

import jdk.incubator.vector.FloatVector;

/**
 * The machine's float32 FMA ceiling as the JVM reaches it: twelve independent vector FMA chains
 * per thread (enough to cover the FMA latency on two pipes), no memory traffic. Benchmarks report
 * their GFLOP/s as a share of this figure measured in the same run, because a shared machine's
 * speed drifts from one minute to the next.
 */
public final class FmaPeak {
    private FmaPeak() {}

    /** Best GFLOP/s over {@code reps} runs of {@code iters} iterations on each of {@code threads} fresh threads. */
    public static double measure(int threads, int reps, long iters) throws InterruptedException {
        double best = 0;
        for (int rep = 0; rep < reps; rep++) {
            Thread[] ts = new Thread[threads];
            float[] sink = new float[threads];
            long t0 = System.nanoTime();
            for (int i = 0; i < threads; i++) {
                int ii = i;
                ts[i] = new Thread(() -> sink[ii] = loop(iters));
                ts[i].start();
            }
            for (Thread t : ts) t.join();
            best = Math.max(best, 2.0 * 12 * Simd.L * iters * threads / (System.nanoTime() - t0));
        }
        return best;
    }

    /** 12 FMA chains of {@code iters} steps; returns their sum so the JIT cannot drop them. */
    public static float loop(long iters) {
        var s = Simd.F;
        FloatVector a0 = FloatVector.broadcast(s, 1f), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4), a5 = a0.add(5);
        FloatVector a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        FloatVector m = FloatVector.broadcast(s, 0.999999f), c = FloatVector.broadcast(s, 1e-7f);
        for (long i = 0; i < iters; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c); a4 = a4.fma(m, c); a5 = a5.fma(m, c);
            a6 = a6.fma(m, c); a7 = a7.fma(m, c); a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
        }
        return Simd.sum(a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11));
    }
}
