package dev.jlava.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A persistent pool of worker threads for data-parallel kernels. {@link #forRange} splits
 * {@code [0, n)} statically into one contiguous chunk per thread (the calling thread takes the
 * first) and returns when all chunks are done. Workers spin for a short while after each job
 * (decode calls a kernel every few microseconds) and then park, so an idle engine costs no CPU.
 *
 * <p>Why not ForkJoin or parallel streams: on two cores their task splitting and wake-up cost
 * 30-50 % of a ~100 us GEMV (measured in shared/design/java-peers.md, section 7).
 *
 * <p>One job runs at a time. A call made while a job is running (a nested call from inside a body,
 * or a second application thread) runs its whole range serially on the calling thread instead of
 * waiting, so nesting cannot deadlock.
 *
 * <p>Size: {@code -Djlava.threads=N} (default: available processors), or {@link #setThreads}.
 * Spin time before parking: {@code -Djlava.spinMicros} (default 200).
 */
public final class Parallel {
    private Parallel() {}

    /** A chunk of work: indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final long SPIN_NANOS = Long.getLong("jlava.spinMicros", 200) * 1000;

    private static volatile Pool pool = new Pool(defaultThreads());

    private static int defaultThreads() {
        int n = Integer.getInteger("jlava.threads", Runtime.getRuntime().availableProcessors());
        if (n < 1) throw new IllegalArgumentException("-Djlava.threads must be >= 1, is " + n);
        return n;
    }

    /** Number of threads a job is split over (including the caller). */
    public static int threads() {
        return pool.size;
    }

    /**
     * Replaces the pool by one of {@code n} threads (waits for a running job to finish). Call it
     * between jobs, never from inside a body (it would wait for its own job).
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, is " + n);
        Pool old = pool;
        if (old.size == n) return;
        while (!old.busy.compareAndSet(false, true)) Thread.onSpinWait();
        pool = new Pool(n);
        old.shutdown(); // keeps busy set: late callers holding the old pool run serially
    }

    /** Runs body over [0, n) split into one chunk per thread. */
    public static void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /**
     * Runs body over [0, n) split into one chunk per thread; every chunk boundary except n is a
     * multiple of {@code align} (e.g. a register-tile width). Empty chunks are not run.
     */
    public static void forRange(int n, int align, RangeBody body) {
        submit(n, align, 0, body);
    }

    /**
     * Like {@link #forRange(int, int, RangeBody)}, but threads claim pieces of [0, n) as they
     * finish, in order (guided self-scheduling: each claim takes half the remainder's per-thread
     * share, so pieces shrink toward the end, down to 1 / (4 * piecesPerThread) of a thread's share).
     * For memory-bound kernels (GEMV) on a shared machine: a thread slowed by a neighbour takes
     * fewer pieces, and the last pieces are small, so the other waits little at the join. Piece
     * boundaries except n are multiples of {@code align}. The body must not care which thread
     * runs which piece.
     */
    public static void forRangeDynamic(int n, int align, int piecesPerThread, RangeBody body) {
        if (piecesPerThread < 1) throw new IllegalArgumentException("pieces must be >= 1, is " + piecesPerThread);
        submit(n, align, piecesPerThread, body);
    }

    /** Runs a job on the pool, or on the caller when one thread would do (or a job is already running). */
    private static void submit(int n, int align, int piecesPerThread, RangeBody body) {
        if (n <= 0) return;
        if (align < 1) throw new IllegalArgumentException("align must be >= 1, is " + align);
        Pool p = pool;
        int units = (n + align - 1) / align;
        if (p.size == 1 || units == 1 || !p.busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        // Guided claims go down to 1 / (4 * pieces) of the work, at least one unit; 0: static chunks.
        int minClaim = piecesPerThread == 0 ? 0 : Math.max(1, units / (4 * Math.min(units, piecesPerThread * p.size)));
        try {
            p.run(n, align, units, minClaim, body);
        } finally {
            p.busy.set(false);
        }
    }

    private static final class Pool {
        final int size;
        final AtomicBoolean busy = new AtomicBoolean();
        final AtomicInteger pending = new AtomicInteger();
        final Worker[] workers;
        volatile long epoch;
        volatile boolean stopped;
        volatile boolean callerParked;
        volatile Throwable error;
        // Job description, published to workers by the volatile write of epoch.
        RangeBody body;
        int n, align, units;
        int minClaim; // 0: one static chunk per thread; else units claimed through nextUnit, at least minClaim at a time
        final AtomicInteger nextUnit = new AtomicInteger();
        Thread caller;

        Pool(int size) {
            this.size = size;
            workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        void run(int n, int align, int units, int minClaim, RangeBody body) {
            nextUnit.set(0);
            this.minClaim = minClaim;
            this.body = body;
            this.n = n;
            this.align = align;
            this.units = units;
            this.caller = Thread.currentThread();
            this.error = null;
            pending.set(workers.length);
            epoch = epoch + 1;
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
            Throwable mine = null;
            try {
                runChunk(0);
            } catch (Throwable t) {
                mine = t;
            }
            awaitWorkers();
            this.body = null;
            Throwable t = mine != null ? mine : error;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new RuntimeException(t);
        }

        void runChunk(int index) {
            if (minClaim == 0) {
                runPiece(index, size);
                return;
            }
            for (int s; (s = nextUnit.get()) < units; ) {
                int take = Math.min(units - s, Math.max(minClaim, (units - s) / (2 * size)));
                if (nextUnit.compareAndSet(s, s + take)) body.run(s * align, (int) Math.min(n, (long) (s + take) * align));
            }
        }

        /** Piece {@code index} of {@code count} equal, align-rounded pieces of [0, n). */
        private void runPiece(int index, int count) {
            int start = (int) Math.min(n, (long) units * index / count * align);
            int end = (int) Math.min(n, (long) units * (index + 1) / count * align);
            if (start < end) body.run(start, end);
        }

        private void awaitWorkers() {
            long spinUntil = 0;
            int spins = 0;
            while (pending.get() != 0) {
                if ((++spins & 255) != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                long now = System.nanoTime();
                if (spinUntil == 0) spinUntil = now + SPIN_NANOS;
                if (now < spinUntil) continue;
                callerParked = true;
                if (pending.get() != 0) LockSupport.parkNanos(this, 1_000_000);
                callerParked = false;
            }
        }

        void workerDone() {
            if (pending.decrementAndGet() == 0 && callerParked) LockSupport.unpark(caller);
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        private final int index;
        volatile boolean parked;

        Worker(Pool pool, int index) {
            super("jlava-parallel-" + index);
            this.pool = pool;
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0; // the pool's epoch at construction; not read here, a job may already be posted
            while (true) {
                long spinUntil = 0;
                int spins = 0;
                while (pool.epoch == seen) {
                    if (pool.stopped) return;
                    if ((++spins & 255) != 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                    long now = System.nanoTime();
                    if (spinUntil == 0) spinUntil = now + SPIN_NANOS;
                    if (now < spinUntil) continue;
                    parked = true; // Dekker with the dispatcher: it writes epoch, then reads parked
                    if (pool.epoch == seen && !pool.stopped) LockSupport.park(pool);
                    parked = false;
                }
                seen = pool.epoch;
                try {
                    pool.runChunk(index);
                } catch (Throwable t) {
                    pool.error = t;
                }
                pool.workerDone();
            }
        }
    }
}
