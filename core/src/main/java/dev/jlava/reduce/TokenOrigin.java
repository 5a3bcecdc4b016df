package dev.jlava.reduce;

import java.util.Arrays;

/**
 * Where one visual token came from.
 *
 * <p>{@code frame}, {@code pos} and {@code row} follow the golden {@code provenance} tensor
 * ({@code [kind, frame, pos, row, win_start, win_end]}): {@code pos = row·g + col} in the frame's
 * (pooled) g×g grid; a newline has {@code pos = -1} and the row it closes (or -1 for the single
 * trailing one_token newline, whose frame is -1 too); window bounds are -1 when no temporal
 * segmentation ran.
 *
 * <p>{@code merged} lists the original grid tokens this row stands for, ascending, as ids
 * {@code frame·N + pos} (N tokens per frame): the token itself when kept, every cluster member
 * when merged (for a static token: each member position in every frame of its window), nothing
 * for newlines and the CLS token.
 */
public record TokenOrigin(TokenKind kind, int frame, int pos, int row, int col, int windowStart, int windowEnd, int[] merged) {

    public TokenOrigin {
        merged = merged.clone();
    }

    /** An original grid token kept as it is. */
    public static TokenOrigin kept(int frame, int pos, int grid, TemporalWindow w) {
        return of(TokenKind.DOMINANT, frame, pos, grid, w, new int[] {frame * grid * grid + pos});
    }

    public static TokenOrigin of(TokenKind kind, int frame, int pos, int grid, TemporalWindow w, int[] merged) {
        return new TokenOrigin(kind, frame, pos, pos / grid, pos % grid,
                w == null ? -1 : w.start(), w == null ? -1 : w.end(), merged);
    }

    /** A grid newline closing {@code row} of {@code frame}. */
    public static TokenOrigin newline(int frame, int row, TemporalWindow w) {
        return new TokenOrigin(TokenKind.NEWLINE, frame, -1, row, -1,
                w == null ? -1 : w.start(), w == null ? -1 : w.end(), new int[0]);
    }

    /** The one newline appended after the whole video (LLaVA-OneVision's {@code one_token}). */
    public static TokenOrigin trailingNewline() {
        return new TokenOrigin(TokenKind.NEWLINE, -1, -1, -1, -1, -1, -1, new int[0]);
    }

    public static TokenOrigin cls() {
        return new TokenOrigin(TokenKind.CLS, 0, -1, -1, -1, -1, -1, new int[0]);
    }

    @Override
    public int[] merged() {
        return merged.clone();
    }

    public int mergedCount() {
        return merged.length;
    }

    /** The golden provenance row {@code [kind, frame, pos, row, win_start, win_end]}. */
    public long[] provenanceRow() {
        return new long[] {kind.code, frame, pos, row, windowStart, windowEnd};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenOrigin t && kind == t.kind && frame == t.frame && pos == t.pos && row == t.row
                && col == t.col && windowStart == t.windowStart && windowEnd == t.windowEnd && Arrays.equals(merged, t.merged);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + frame) + pos + 17 * Arrays.hashCode(merged);
    }

    @Override
    public String toString() {
        return kind + "(frame " + frame + ", pos " + pos + ", window [" + windowStart + ", " + windowEnd + "], merges " + merged.length + ")";
    }
}
