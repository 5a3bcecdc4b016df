package dev.jlava.app;

import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.SpatialPooling;
import picocli.CommandLine.Option;

/** Options shared by run and demo: generation length, reduction plan, OneVision video layout. */
final class QaOptions {
    @Option(names = "--max-tokens", defaultValue = "64", description = "tokens to generate at most (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--reduce", defaultValue = "none", paramLabel = "PLAN",
            description = "visual-token reduction, stages joined with '+': none, holitom(...), fastv(K=..,R=..), visionzip(...), pvtp(...), vta(...), st3 (default: none)")
    String reduce;

    @Option(names = "--pooling", defaultValue = "bilinear", description = "OneVision video pooling: bilinear (OneVision) or avg (LLaVA-Video)")
    String pooling;

    @Option(names = "--newline", defaultValue = "one_token", description = "OneVision video newline layout: one_token or grid")
    String newline;

    @Option(names = "--threads", description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = "--mmap", negatable = true, description = "--mmap reads F32/F16/BF16 weights in place from the file mapping (smaller footprint, slower decode on some machines); --no-mmap, the default, copies them into memory at load")
    Boolean mmap;

    @Option(names = "--ignore-eos", description = "do not stop at end-of-generation tokens")
    boolean ignoreEos;

    SpatialPooling.Mode poolingMode() {
        return switch (pooling) {
            case "bilinear" -> SpatialPooling.Mode.BILINEAR;
            case "avg", "average" -> SpatialPooling.Mode.AVERAGE;
            default -> throw new UserError("--pooling '" + pooling + "' is not one of: bilinear, avg");
        };
    }

    NewlineMode newlineMode() {
        return switch (newline) {
            case "one_token" -> NewlineMode.ONE_TOKEN;
            case "grid" -> NewlineMode.GRID;
            default -> throw new UserError("--newline '" + newline + "' is not one of: one_token, grid");
        };
    }
}
