package dev.jlava.video;

import java.nio.file.Files;
import java.nio.file.Path;

/** ../shared for the video module's tests (core's SharedData is not on this module's test path). */
final class Shared {
    private Shared() {}

    static Path root() {
        String p = System.getProperty("jlava.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "shared");
        if (!Files.isDirectory(root.resolve("media"))) root = Path.of("..", "..", "shared");
        if (!Files.isDirectory(root.resolve("media"))) throw new IllegalStateException("../shared not found");
        return root.normalize();
    }

    static Path media(String name) { return root().resolve("media").resolve(name); }

    static Path golden(String rel) { return root().resolve("golden").resolve(rel); }
}
