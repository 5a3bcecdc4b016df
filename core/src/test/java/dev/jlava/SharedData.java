package dev.jlava;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the read-only reference data in {@code ../shared} (set by Surefire as jlava.shared). */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        String p = System.getProperty("jlava.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "shared");
        if (!Files.isDirectory(root.resolve("golden"))) root = Path.of("..", "..", "shared");
        if (!Files.isDirectory(root.resolve("golden"))) {
            throw new IllegalStateException("../shared/golden not found (looked at " + root.toAbsolutePath() + ")");
        }
        return root.normalize();
    }

    public static Path golden(String rel) {
        return root().resolve("golden").resolve(rel);
    }

    public static Path media(String rel) {
        return root().resolve("media").resolve(rel);
    }
}
