package dev.jlava.reduce;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The visual token sequence every reduction stage passes on: rows [T][D] in sequence order, one
 * {@link TokenOrigin} per row, the original grid it came from ({@code frames} × {@code grid}²
 * tokens), the originals no row stands for ({@code dropped}), and HoliTom's temporal segments.
 *
 * <p>Invariant (checked by {@link #checkAccounting()}): every original grid token id
 * {@code frame·grid² + pos} appears exactly once, either in one row's {@code merged} list or in
 * {@code dropped}. Rows are shared, not copied: treat them as read-only.
 */
public final class VisualTokens {
    private final float[][] rows;
    private final List<TokenOrigin> origins;
    private final int frames;
    private final int grid;
    private final int[] dropped;
    private final List<TemporalWindow> segments;

    private VisualTokens(float[][] rows, List<TokenOrigin> origins, int frames, int grid, int[] dropped, List<TemporalWindow> segments) {
        if (rows.length != origins.size()) throw new IllegalArgumentException(rows.length + " rows but " + origins.size() + " origins");
        if (frames < 0 || grid < 1) throw new IllegalArgumentException("frames " + frames + ", grid " + grid);
        this.rows = rows;
        this.origins = List.copyOf(origins);
        this.frames = frames;
        this.grid = grid;
        this.dropped = dropped;
        this.segments = List.copyOf(segments);
    }

    /** The unreduced tokens of {@code frames} frames, frame-major then row-major, no newlines. */
    public static VisualTokens ofFrames(float[][][] features, int grid) {
        int n = grid * grid;
        Builder b = new Builder(features.length, grid);
        for (int f = 0; f < features.length; f++) {
            if (features[f].length != n) {
                throw new IllegalArgumentException("frame " + f + " has " + features[f].length + " tokens, a " + grid + "x" + grid + " grid needs " + n);
            }
            for (int p = 0; p < n; p++) b.add(features[f][p], TokenOrigin.kept(f, p, grid, null));
        }
        return b.build();
    }

    /** One image as a CLIP tower outputs it: the class token, then the grid² patches row-major. */
    public static VisualTokens ofImageWithCls(float[] cls, float[][] patches, int grid) {
        if (patches.length != grid * grid) throw new IllegalArgumentException(patches.length + " patches for a " + grid + "x" + grid + " grid");
        Builder b = new Builder(1, grid);
        b.add(cls, TokenOrigin.cls());
        for (int p = 0; p < patches.length; p++) b.add(patches[p], TokenOrigin.kept(0, p, grid, null));
        return b.build();
    }

    public int size() { return rows.length; }

    /** Row width (0 for an empty sequence). */
    public int dim() { return rows.length == 0 ? 0 : rows[0].length; }

    public float[] row(int i) { return rows[i]; }

    /** The rows in sequence order (a new outer array over the shared rows). */
    public float[][] rows() { return rows.clone(); }

    public TokenOrigin origin(int i) { return origins.get(i); }

    public List<TokenOrigin> origins() { return origins; }

    public int frames() { return frames; }

    public int grid() { return grid; }

    public int tokensPerFrame() { return grid * grid; }

    /** Number of original grid tokens: frames × grid². */
    public int originalCount() { return frames * grid * grid; }

    /** Original ids no row stands for, ascending. */
    public int[] dropped() { return dropped.clone(); }

    /** HoliTom's temporal windows, in time order; empty when no temporal segmentation ran. */
    public List<TemporalWindow> segments() { return segments; }

    public int count(TokenKind kind) {
        int c = 0;
        for (TokenOrigin o : origins) if (o.kind() == kind) c++;
        return c;
    }

    /** Whether row {@code i} is an {@code image_newline}. */
    public boolean isNewline(int i) { return origins.get(i).kind() == TokenKind.NEWLINE; }

    /** The golden provenance matrix [T][6] = {@code [kind, frame, pos, row, win_start, win_end]}. */
    public long[][] provenance() {
        long[][] p = new long[rows.length][];
        for (int i = 0; i < p.length; i++) p[i] = origins.get(i).provenanceRow();
        return p;
    }

    /** Rows concatenated into one [T·D] array. */
    public float[] toFlat() {
        int d = dim();
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * d, d);
        return out;
    }

    /**
     * The same tokens (provenance, drops, segments) with new rows, e.g. after the projector maps
     * VisionZip's vision-space tokens into the LLM space; {@code flat} is [size][d] row-major.
     */
    public VisualTokens withRows(float[] flat) {
        int n = rows.length;
        if (n == 0 || flat.length % n != 0) throw new IllegalArgumentException(flat.length + " values for " + n + " rows");
        int d = flat.length / n;
        float[][] r = new float[n][];
        for (int i = 0; i < n; i++) r[i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        return new VisualTokens(r, origins, frames, grid, dropped, segments);
    }

    /** Throws unless every original grid token is represented exactly once (by a row or as dropped). */
    public void checkAccounting() {
        int[] seen = new int[originalCount()];
        for (int i = 0; i < origins.size(); i++) {
            for (int id : origins.get(i).merged()) {
                if (id < 0 || id >= seen.length) throw new IllegalStateException("row " + i + " claims original " + id + " outside 0.." + (seen.length - 1));
                seen[id]++;
            }
        }
        for (int id : dropped) {
            if (id < 0 || id >= seen.length) throw new IllegalStateException("dropped original " + id + " outside 0.." + (seen.length - 1));
            seen[id]++;
        }
        for (int id = 0; id < seen.length; id++) {
            if (seen[id] != 1) {
                throw new IllegalStateException("original token " + id + " (frame " + id / tokensPerFrame() + ", pos " + id % tokensPerFrame()
                        + ") is accounted for " + seen[id] + " times");
            }
        }
    }

    /** Collects rows in order; used by the reducers. */
    public static final class Builder {
        private final int frames;
        private final int grid;
        private final List<float[]> rows = new ArrayList<>();
        private final List<TokenOrigin> origins = new ArrayList<>();
        private final List<Integer> dropped = new ArrayList<>();
        private final List<TemporalWindow> segments = new ArrayList<>();

        public Builder(int frames, int grid) {
            this.frames = frames;
            this.grid = grid;
        }

        public Builder add(float[] row, TokenOrigin origin) {
            if (!rows.isEmpty() && rows.get(0).length != row.length) {
                throw new IllegalArgumentException("row width " + row.length + " differs from " + rows.get(0).length);
            }
            rows.add(row);
            origins.add(origin);
            return this;
        }

        public Builder addAll(VisualTokens t) {
            for (int i = 0; i < t.size(); i++) add(t.row(i), t.origin(i));
            return this;
        }

        public Builder drop(int originalId) {
            dropped.add(originalId);
            return this;
        }

        public Builder dropAll(int[] ids) {
            for (int id : ids) dropped.add(id);
            return this;
        }

        public Builder segment(TemporalWindow w) {
            segments.add(w);
            return this;
        }

        public Builder segments(List<TemporalWindow> ws) {
            segments.addAll(ws);
            return this;
        }

        public int size() { return rows.size(); }

        public VisualTokens build() {
            int[] d = dropped.stream().mapToInt(Integer::intValue).sorted().toArray();
            return new VisualTokens(rows.toArray(new float[0][]), origins, frames, grid, d, segments);
        }
    }

    @Override
    public String toString() {
        return "VisualTokens[" + rows.length + " rows x " + dim() + ", " + frames + " frames of " + grid + "x" + grid
                + ", dropped " + dropped.length + (segments.isEmpty() ? "" : ", segments " + segments) + "]";
    }

    /** Rows equal bit for bit and the same origins. */
    public boolean sameAs(VisualTokens o) {
        if (o.size() != size() || o.frames != frames || o.grid != grid || !Arrays.equals(o.dropped, dropped)) return false;
        if (!origins.equals(o.origins) || !segments.equals(o.segments)) return false;
        for (int i = 0; i < rows.length; i++) if (!Arrays.equals(rows[i], o.rows[i])) return false;
        return true;
    }
}
