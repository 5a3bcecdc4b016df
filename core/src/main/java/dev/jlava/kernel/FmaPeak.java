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

    /**
     * Best GFLOP/s of runs of {@code iters} iterations on each of {@code threads} fresh threads:
     * at least {@code reps} runs after an untimed one, and more (up to 12) until two runs in a row
     * no longer raise the best by 2 %. The loop is interpreted, then C1-compiled, until C2's
     * on-stack-replacement compile lands, which on two busy cores can take several runs: a fixed
     * three read 132 of 216 GFLOP/s on one core and 213-336 of 424 on two (session 14).
     */
    public static double measure(int threads, int reps, long iters) throws InterruptedException {
        warm();
        run(threads, iters);
        double best = 0;
        for (int timed = 0, stale = 0; timed < 12 && (timed < reps || stale < 2); timed++) {
            double r = run(threads, iters);
            stale = r > best * 1.02 ? 0 : stale + 1;
            best = Math.max(best, r);
        }
        return best;
    }

    /**
     * Calls the loop often enough, in short runs, for C2 to compile the method itself. Without it
     * only an on-stack-replacement compile exists, and every timed run on a fresh thread entered
     * the loop interpreted (Vector API calls as Java objects) until it jumped into that code: in
     * the vision bench, right after the tower's own compiles, the peak read 306-382 GFLOP/s
     * against 411 from KernelPerf in the same minutes (session 18).
     */
    private static void warm() {
        float s = 0;
        for (int i = 0; i < 3_000; i++) s += loop(64);
        sunk = s;
    }

    private static volatile float sunk;

    /** GFLOP/s of one run; thread start-up is not timed. */
    private static double run(int threads, long iters) throws InterruptedException {
        Thread[] ts = new Thread[threads];
        float[] sink = new float[threads];
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(threads), go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < threads; i++) {
            int ii = i;
            ts[i] = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                sink[ii] = loop(iters);
            });
            ts[i].start();
        }
        ready.await();
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : ts) t.join();
        return 2.0 * 12 * Simd.L * iters * threads / (System.nanoTime() - t0);
    }

    /**
     * 12 FMA chains of {@code iters} steps; returns their sum so the JIT cannot drop them. Each
     * chain accumulates into its own register ({@code a = m * c + a}, one vfmadd231ps). The form
     * {@code a = a * m + c} looks the same but makes C2 copy c before every FMA and spill chains to
     * the stack; it measured 72 GFLOP/s per core where a C loop reaches 100 (docs/performance.md).
     */
    public static float loop(long iters) {
        var s = Simd.F;
        FloatVector a0 = FloatVector.broadcast(s, 1f), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4), a5 = a0.add(5);
        FloatVector a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        FloatVector m = FloatVector.broadcast(s, 1e-3f), c = FloatVector.broadcast(s, 1e-3f);
        for (long i = 0; i < iters; i++) {
            a0 = m.fma(c, a0); a1 = m.fma(c, a1); a2 = m.fma(c, a2); a3 = m.fma(c, a3); a4 = m.fma(c, a4); a5 = m.fma(c, a5);
            a6 = m.fma(c, a6); a7 = m.fma(c, a7); a8 = m.fma(c, a8); a9 = m.fma(c, a9); a10 = m.fma(c, a10); a11 = m.fma(c, a11);
        }
        return Simd.sum(a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11));
    }
}
