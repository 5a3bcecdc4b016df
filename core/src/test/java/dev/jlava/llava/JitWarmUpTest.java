package dev.jlava.llava;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.kernel.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The warm-up runs real steps in the background, stops when closed, and stays off with one thread. */
class JitWarmUpTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void runsStepsUntilClosed() throws Exception {
        Parallel.setThreads(2);
        JitWarmUp w = JitWarmUp.visionAndDecoder();
        assertThat(w.started()).isTrue();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (w.steps() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
        w.close();
        int done = w.steps();
        assertThat(done).as("warm-up steps before close").isGreaterThanOrEqualTo(2);
        Thread.sleep(50);
        assertThat(w.steps()).as("no step after close returned").isEqualTo(done);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("jlava-warmup") && t.isAlive());
    }

    @Test
    void decoderOnlyStopsToo() {
        Parallel.setThreads(2);
        try (JitWarmUp w = JitWarmUp.decoder()) {
            assertThat(w.started()).isTrue();
        }
    }

    @Test
    void staysOffWithOneThread() {
        Parallel.setThreads(1);
        try (JitWarmUp w = JitWarmUp.visionAndDecoder()) {
            assertThat(w.started()).isFalse();
            assertThat(w.steps()).isZero();
        }
    }
}
