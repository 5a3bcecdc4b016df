package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ParallelTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Property(tries = 200)
    void dynamicPiecesCoverEveryIndexOnce(@ForAll @IntRange(min = 0, max = 3000) int n, @ForAll @IntRange(min = 1, max = 64) int align,
                                          @ForAll @IntRange(min = 1, max = 5) int threads, @ForAll @IntRange(min = 1, max = 9) int pieces) {
        Parallel.setThreads(threads);
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
        AtomicInteger count = new AtomicInteger();
        Parallel.forRangeDynamic(n, align, pieces, (s, e) -> {
            assertThat(s).isLessThan(e);
            assertThat(s % align).isZero();
            if (e != n) assertThat(e % align).isZero();
            count.incrementAndGet();
            for (int i = s; i < e; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertThat(hits.get(i)).as("index %d", i).isEqualTo(1);
        int units = (n + align - 1) / align;
        // Guided claims never go below 1 / (4 * pieces) of a thread's share (or 1 unit), so at most 8x that many.
        assertThat(count.get()).isLessThanOrEqualTo(threads == 1 || units <= 1 ? Math.min(1, n) : Math.min(units, 8 * pieces * threads + 1));
        // and a static job right after still splits one chunk per thread
        AtomicInteger chunks = new AtomicInteger();
        Parallel.forRange(n, align, (s, e) -> chunks.incrementAndGet());
        assertThat(chunks.get()).isLessThanOrEqualTo(threads);
    }

    @Property(tries = 200)
    void everyIndexRunsOnceInAlignedChunks(@ForAll @IntRange(min = 0, max = 3000) int n, @ForAll @IntRange(min = 1, max = 64) int align,
                                           @ForAll @IntRange(min = 1, max = 5) int threads) {
        Parallel.setThreads(threads);
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
        AtomicInteger chunks = new AtomicInteger();
        Parallel.forRange(n, align, (s, e) -> {
            assertThat(s).isLessThan(e);
            assertThat(s % align).isZero();
            if (e != n) assertThat(e % align).isZero();
            chunks.incrementAndGet();
            for (int i = s; i < e; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertThat(hits.get(i)).as("index %d", i).isEqualTo(1);
        assertThat(chunks.get()).isLessThanOrEqualTo(threads);
        assertThat(Parallel.threads()).isEqualTo(threads);
    }

    @Test
    void usesSeveralThreadsIncludingTheCaller() {
        Parallel.setThreads(3);
        ConcurrentHashMap<Thread, Boolean> seen = new ConcurrentHashMap<>();
        Parallel.forRange(3, (s, e) -> seen.put(Thread.currentThread(), true));
        assertThat(seen).hasSize(3).containsKey(Thread.currentThread());
        for (Thread t : seen.keySet()) if (t != Thread.currentThread()) assertThat(t.isDaemon()).isTrue();
    }

    @Test
    @Timeout(20)
    void nestedCallsRunSeriallyWithoutDeadlock() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(100 * 50);
        Parallel.forRange(100, (s, e) -> {
            for (int i = s; i < e; i++) {
                int row = i;
                Thread me = Thread.currentThread();
                Parallel.forRange(50, (s2, e2) -> {
                    assertThat(Thread.currentThread()).isSameAs(me);
                    for (int j = s2; j < e2; j++) hits.incrementAndGet(row * 50 + j);
                });
            }
        });
        for (int i = 0; i < hits.length(); i++) assertThat(hits.get(i)).isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void manyQuickJobsAndConcurrentCallers() throws Exception {
        Parallel.setThreads(2);
        AtomicInteger total = new AtomicInteger();
        Thread other = new Thread(() -> {
            for (int r = 0; r < 20000; r++) Parallel.forRange(8, (s, e) -> total.addAndGet(e - s));
        });
        other.start();
        for (int r = 0; r < 20000; r++) Parallel.forRange(8, (s, e) -> total.addAndGet(e - s));
        other.join();
        assertThat(total.get()).isEqualTo(2 * 20000 * 8);
    }

    @Test
    @Timeout(20)
    void workersWakeUpAfterParking() throws Exception {
        Parallel.setThreads(2);
        for (int r = 0; r < 3; r++) {
            Thread.sleep(5); // longer than the default 200 us spin: workers are parked
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            Parallel.forRange(10, (s, e) -> {
                for (int i = s; i < e; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < 10; i++) assertThat(hits.get(i)).isEqualTo(1);
        }
    }

    @Test
    void exceptionsReachTheCallerAndThePoolStaysUsable() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.forRange(10, (s, e) -> {
            if (s > 0) throw new IllegalStateException("boom in worker");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom in worker");
        assertThatThrownBy(() -> Parallel.forRange(10, (s, e) -> {
            if (s == 0) throw new IllegalArgumentException("boom in caller");
        })).hasMessage("boom in caller");
        AtomicInteger n = new AtomicInteger();
        Parallel.forRange(10, (s, e) -> n.addAndGet(e - s));
        assertThat(n.get()).isEqualTo(10);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Parallel.setThreads(0)).hasMessageContaining(">= 1");
        assertThatThrownBy(() -> Parallel.forRange(5, 0, (s, e) -> {})).hasMessageContaining("align");
    }
}
