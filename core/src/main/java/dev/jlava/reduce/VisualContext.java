package dev.jlava.reduce;

/**
 * What a {@link VisualReducer} needs besides the tokens: the tower's extra signals, the model's
 * {@code image_newline} row (null if it has none) and where newlines go.
 */
public record VisualContext(VisionSignals signals, float[] imageNewline, NewlineMode newlineMode) {
    public VisualContext {
        if (signals == null) signals = VisionSignals.NONE;
        if (newlineMode == null) throw new IllegalArgumentException("newline mode is required");
    }
}
