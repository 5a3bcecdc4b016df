package dev.jlava.app;

/** Process-wide settings shared by the commands (worker threads). */
final class Runtime {
    private static int threads = java.lang.Runtime.getRuntime().availableProcessors();

    private Runtime() {}

    static void threads(Integer n) {
        if (n == null) return;
        if (n < 1 || n > 1024) throw new UserError("--threads must be between 1 and 1024, got " + n);
        threads = n;
    }

    static int threads() { return threads; }
}
