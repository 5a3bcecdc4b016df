package dev.jlava.app;

import dev.jlava.llava.Progress;
import java.io.PrintStream;

/**
 * Progress on stderr for stages that take more than a second; silent when CI=true or when
 * stderr is not a terminal (so logs and pipes stay clean).
 */
final class ConsoleProgress implements Progress {
    private final PrintStream err;
    private String stage;
    private long stageStart;
    private boolean shown;

    private ConsoleProgress(PrintStream err) {
        this.err = err;
    }

    static Progress create() {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean terminal = System.console() != null && System.console().isTerminal();
        return ci || !terminal ? Progress.NONE : new ConsoleProgress(System.err);
    }

    @Override
    public synchronized void update(String name, long done, long total) {
        long now = System.nanoTime();
        if (!name.equals(stage)) {
            finish();
            stage = name;
            stageStart = now;
        }
        if (now - stageStart < 1_000_000_000L) return;
        shown = true;
        err.printf("\r  %s %d/%d (%.1f s)   ", name, done, total, (now - stageStart) / 1e9);
        err.flush();
        if (done >= total) finish();
    }

    synchronized void finish() {
        if (shown) err.println();
        shown = false;
        stage = null;
    }
}
