package dev.jlava.app;

/** Process-wide settings shared by the commands (worker threads, weight residency). */
final class Runtime {
    private static int threads = dev.jlava.kernel.Parallel.threads();

    private Runtime() {}

    static void threads(Integer n) {
        if (n == null) return;
        if (n < 1 || n > 1024) throw new UserError("--threads must be between 1 and 1024, got " + n);
        threads = n;
        dev.jlava.kernel.Parallel.setThreads(n);
    }

    static int threads() { return threads; }

    /**
     * Runs {@code load} while {@link dev.jlava.llava.JitWarmUp} compiles the kernels on the spare
     * core (the vision tower's too when {@code vision}); the warm-up stops when the load returns or fails.
     */
    static <T> T warmLoad(boolean vision, java.util.function.Supplier<T> load) {
        try (var w = vision ? dev.jlava.llava.JitWarmUp.visionAndDecoder() : dev.jlava.llava.JitWarmUp.decoder()) {
            T t = load.get();
            if (Boolean.getBoolean("jlava.warmup.log")) System.err.println("jit warm-up: " + w.steps() + " steps while loading");
            return t;
        }
    }

    /**
     * --[no-]mmap: whether F32/F16/BF16 weights loaded from now on are read from the file mapping or
     * copied into memory; without the option, the configured default ({@code -Djlava.weights}, else copy).
     */
    static void mmap(Boolean mapped) {
        dev.jlava.kernel.WeightResidency.set(mapped == null ? dev.jlava.kernel.WeightResidency.configured()
                : mapped ? dev.jlava.kernel.WeightResidency.MAPPED : dev.jlava.kernel.WeightResidency.COPY);
    }
}
