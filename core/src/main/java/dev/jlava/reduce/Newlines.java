package dev.jlava.reduce;

/** Inserts {@code image_newline} rows the way LLaVA's video branch and the reducers do. */
public final class Newlines {
    private Newlines() {}

    /**
     * The unreduced video sequence: the grid tokens in their order, then one newline
     * ({@code ONE_TOKEN}), a newline after every row of every frame ({@code GRID}), or none.
     */
    public static VisualTokens layoutUnreduced(VisualTokens grid, float[] newline, NewlineMode mode) {
        VisualTokens.Builder b = new VisualTokens.Builder(grid.frames(), grid.grid());
        b.dropAll(grid.dropped()).segments(grid.segments());
        switch (mode) {
            case NO_TOKEN -> b.addAll(grid);
            case ONE_TOKEN -> {
                b.addAll(grid);
                b.add(requireNewline(newline, grid), TokenOrigin.trailingNewline());
            }
            case GRID -> {
                for (int i = 0; i < grid.size(); i++) {
                    TokenOrigin o = grid.origin(i);
                    b.add(grid.row(i), o);
                    boolean rowEnds = i + 1 == grid.size() || grid.origin(i + 1).frame() != o.frame() || grid.origin(i + 1).row() != o.row();
                    if (o.kind() != TokenKind.CLS && rowEnds) {
                        b.add(requireNewline(newline, grid), TokenOrigin.newline(o.frame(), o.row(), window(o)));
                    }
                }
            }
        }
        return b.build();
    }

    /**
     * Emits one frame's tokens, already sorted by position, row by row, each row followed by a
     * newline. {@code emptyRowsToo}: HoliTom emits nothing for an empty row, the VisionZip port
     * still emits the newline.
     */
    public static void emitGridFrame(VisualTokens.Builder b, float[][] rows, TokenOrigin[] origins, int frame, int grid,
                                     float[] newline, TemporalWindow window, boolean emptyRowsToo) {
        int i = 0;
        for (int row = 0; row < grid; row++) {
            int start = i;
            while (i < origins.length && origins[i].pos() / grid == row) {
                b.add(rows[i], origins[i]);
                i++;
            }
            if (i > start || emptyRowsToo) b.add(newline, TokenOrigin.newline(frame, row, window));
        }
        if (i != origins.length) throw new IllegalArgumentException("tokens of frame " + frame + " are not sorted by position");
    }

    private static TemporalWindow window(TokenOrigin o) {
        return o.windowStart() < 0 ? null : new TemporalWindow(o.windowStart(), o.windowEnd());
    }

    static float[] requireNewline(float[] newline, VisualTokens t) {
        if (newline == null) throw new IllegalArgumentException("this newline layout needs the model's image_newline vector");
        if (t.size() > 0 && newline.length != t.dim()) {
            throw new IllegalArgumentException("image_newline has width " + newline.length + " but the tokens have " + t.dim());
        }
        return newline;
    }
}
