package dev.jlava.reduce;

/** Where LLaVA's video path puts {@code image_newline} rows ({@code mm_newline_position}). */
public enum NewlineMode {
    /** One newline after the whole video (LLaVA-OneVision). */
    ONE_TOKEN,
    /** One newline after each row of each frame's grid (LLaVA-Video as lmms-eval runs it). */
    GRID,
    /** No newline at all. */
    NO_TOKEN;

    /** Parses the config value ({@code one_token}, {@code grid}, {@code no_token}). */
    public static NewlineMode fromConfig(String s) {
        return switch (s) {
            case "one_token" -> ONE_TOKEN;
            case "grid" -> GRID;
            case "no_token" -> NO_TOKEN;
            default -> throw new IllegalArgumentException("mm_newline_position '" + s
                    + "' is not supported for video (accepted: one_token, grid, no_token; 'frame' is not implemented)");
        };
    }
}
