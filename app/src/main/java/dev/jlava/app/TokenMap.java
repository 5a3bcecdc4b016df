package dev.jlava.app;

import dev.jlava.reduce.TemporalWindow;
import dev.jlava.reduce.TokenKind;
import dev.jlava.reduce.TokenOrigin;
import dev.jlava.reduce.VisualTokens;
import dev.jlava.vision.image.RgbImage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A PNG that shows at a glance what a visual-token reducer kept, and where: the sampled frames in
 * a grid, each labelled with its source frame index and overlaid with its token grid (one cell per
 * original token on the g×g grid the reducer saw).
 *
 * <ul>
 *   <li><b>kept</b> (a token passed on unchanged): full colour, a bright yellow ring in a dark edge
 *       (no ring when nothing was reduced at all);</li>
 *   <li><b>merged</b> (clustered into a contextual or HoliTom static token): tinted with the colour of
 *       the output token it went into, the same colour for every original it stands for (a static
 *       token's members span all frames of its window); a dot marks the cell the output token sits at;</li>
 *   <li><b>dropped</b>: darkened and grey;</li>
 *   <li>HoliTom's temporal windows: a coloured bar with its frame range under the frames of each window.</li>
 * </ul>
 * The frames are drawn squashed to squares, the way the vision tower sees them after resizing.
 */
public final class TokenMap {
    static final Color KEPT_OUTLINE = new Color(255, 221, 0);
    static final Color KEPT_EDGE = new Color(30, 30, 30);
    static final Color BACKGROUND = new Color(250, 250, 250);
    static final Color TEXT = new Color(25, 25, 25);
    static final Color MUTED_TEXT = new Color(95, 95, 95);
    private static final Color[] WINDOW_COLOURS = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(148, 103, 189), new Color(214, 39, 40), new Color(23, 190, 207)};
    /** The tint share of a merged cell: enough to see the cluster, little enough to see the picture. */
    static final double TINT = 0.42;

    static final int PAD = 16, GAP = 14, LABEL_H = 20, COUNT_H = 18, BAR_GAP = 4, BAR_H = 9, BAR_LABEL_H = 17, ROW_GAP = 16;

    /** What happened to one original grid token. */
    public enum Fate { KEPT, MERGED, DROPPED }

    private final List<RgbImage> frames;
    private final int[] frameIndices;
    private final VisualTokens tokens;
    private final int grid;
    private final List<TemporalWindow> segments;
    private final String title;

    /** Per original id (frame·g² + pos): the output row standing for it, or -1. */
    private final int[] owner;
    /** Per output row: its cluster colour (merged rows only), else null. */
    private final Color[] clusterColour;

    private final Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 17);
    private final Font textFont = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private final Font smallFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    /** False when every original token was kept: then nothing needs highlighting. */
    private final boolean reduced;

    final int cell, thumb, cols, tileRows, headerH, tileH, legendTop, width, height, tilesLeft;
    private final List<String> header;

    /**
     * @param frames       the frames in sampled order, one per token frame (null: plain grey tiles)
     * @param frameIndices each frame's index in the source video (null: 0, 1, …)
     * @param tokens       the reducer's output, with origins and dropped originals
     * @param grid         the side of the token grid the reducer saw (e.g. 14 for pooled OneVision tokens)
     * @param segments     HoliTom's windows of frame positions (empty or null: none)
     * @param title        an optional first line (e.g. the method), null for none
     */
    public TokenMap(List<RgbImage> frames, int[] frameIndices, VisualTokens tokens, int grid, List<TemporalWindow> segments, String title) {
        int f = tokens.frames();
        if (grid != tokens.grid()) throw new IllegalArgumentException("token map: grid side " + grid + " but the tokens are on a " + tokens.grid() + "x" + tokens.grid() + " grid");
        if (f < 1) throw new IllegalArgumentException("token map: the tokens come from no frame");
        if (frames != null && frames.size() != f) throw new IllegalArgumentException("token map: " + frames.size() + " frames for tokens of " + f + " frames");
        if (frameIndices != null && frameIndices.length != f) throw new IllegalArgumentException("token map: " + frameIndices.length + " frame indices for " + f + " frames");
        if (segments == null) segments = List.of();
        for (TemporalWindow w : segments) {
            if (w.end() >= f) throw new IllegalArgumentException("token map: window " + w + " goes beyond the " + f + " frames");
        }
        this.frames = frames;
        this.frameIndices = frameIndices;
        this.tokens = tokens;
        this.grid = grid;
        // one frame has one trivial window: nothing to show
        this.segments = f == 1 ? List.of() : List.copyOf(segments);
        this.title = title == null || title.isBlank() ? null : title.strip();

        owner = new int[tokens.originalCount()];
        Arrays.fill(owner, -1);
        clusterColour = new Color[tokens.size()];
        int clusters = 0;
        for (int r = 0; r < tokens.size(); r++) {
            TokenOrigin o = tokens.origin(r);
            int[] m = o.merged();
            for (int id : m) if (id >= 0 && id < owner.length) owner[id] = r;
            if (m.length > 1 || (m.length == 1 && o.kind() != TokenKind.DOMINANT)) clusterColour[r] = clusterColour(clusters++);
        }

        boolean reduced = false;
        for (int id = 0; id < owner.length && !reduced; id++) reduced = owner[id] < 0 || clusterColour[owner[id]] != null;
        this.reduced = reduced;

        cell = Math.max(8, (f > 16 ? 196 : 280) / grid);
        thumb = cell * grid;
        cols = f <= 4 ? f : f <= 8 ? 4 : 8;
        tileRows = (f + cols - 1) / cols;
        header = headerLines();
        headerH = PAD + (this.title != null ? 24 : 0) + header.size() * 19 + 8;
        tileH = LABEL_H + thumb + COUNT_H + (this.segments.isEmpty() ? 0 : BAR_GAP + BAR_H + BAR_LABEL_H);
        int tilesWidth = cols * thumb + (cols - 1) * GAP;
        int textWidth = textWidth();
        width = Math.max(tilesWidth, Math.max(Math.min(textWidth, 2400), 640)) + 2 * PAD;
        tilesLeft = (width - tilesWidth) / 2;
        legendTop = headerH + tileRows * tileH + (tileRows - 1) * ROW_GAP + 14;
        height = legendTop + legendHeight() + PAD;
    }

    /** The same map with the grid and windows the tokens carry. */
    public TokenMap(List<RgbImage> frames, int[] frameIndices, VisualTokens tokens, String title) {
        this(frames, frameIndices, tokens, tokens.grid(), tokens.segments(), title);
    }

    /**
     * Renders the map and writes it as a PNG, whole or not at all (temporary file, then an atomic rename).
     * The entry point for {@code --token-map OUT.png}.
     */
    public static void write(Path out, List<RgbImage> frames, int[] frameIndices, VisualTokens tokens, int grid,
                             List<TemporalWindow> segments, String title) throws IOException {
        TokenMap m;
        try {
            m = new TokenMap(frames, frameIndices, tokens, grid, segments, title);
        } catch (InternalError | UnsatisfiedLinkError e) {
            throw noFonts(out, e);
        }
        m.write(out);
    }

    /** {@link #write(Path, List, int[], VisualTokens, int, List, String)} with the tokens' own grid and windows. */
    public static void write(Path out, List<RgbImage> frames, int[] frameIndices, VisualTokens tokens, String title) throws IOException {
        write(out, frames, frameIndices, tokens, tokens.grid(), tokens.segments(), title);
    }

    public void write(Path out) throws IOException {
        Files2.checkWritable(out);
        BufferedImage img;
        try {
            img = render();
        } catch (InternalError | UnsatisfiedLinkError e) {
            throw noFonts(out, e);
        }
        Path tmp = Files2.tmpFor(out);
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer available");
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(out + ": cannot write the token map: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Java's text rendering fails this way on systems without fontconfig or fonts. */
    private static IOException noFonts(Path out, Throwable e) {
        return new IOException(out + ": cannot draw the token map's text (" + e + "); install fontconfig and a TrueType font such as DejaVu", e);
    }

    public int width() { return width; }

    public int height() { return height; }

    /** What happened to original token {@code pos} of frame {@code frame}. */
    public Fate fate(int frame, int pos) {
        int r = owner[frame * grid * grid + pos];
        if (r < 0) return Fate.DROPPED;
        return clusterColour[r] == null ? Fate.KEPT : Fate.MERGED;
    }

    /** The colour of the output token original ({@code frame}, {@code pos}) was merged into, or null. */
    public Color clusterColourOf(int frame, int pos) {
        int r = owner[frame * grid * grid + pos];
        return r < 0 ? null : clusterColour[r];
    }

    /** Where frame {@code frame}'s thumbnail is on the canvas. */
    public Rectangle thumbnail(int frame) {
        int x = tilesLeft + (frame % cols) * (thumb + GAP);
        int y = headerH + (frame / cols) * (tileH + ROW_GAP) + LABEL_H;
        return new Rectangle(x, y, thumb, thumb);
    }

    /** Where the cell of token {@code pos} of frame {@code frame} is on the canvas. */
    public Rectangle cell(int frame, int pos) {
        Rectangle t = thumbnail(frame);
        return new Rectangle(t.x + (pos % grid) * cell, t.y + (pos / grid) * cell, cell, cell);
    }

    /** The bar pieces of window {@code i} (one per row of tiles it covers). */
    public List<Rectangle> segmentBars(int i) {
        TemporalWindow w = segments.get(i);
        List<Rectangle> out = new ArrayList<>();
        int f = w.start();
        while (f <= w.end()) {
            int rowEnd = Math.min(w.end(), (f / cols + 1) * cols - 1);
            Rectangle a = thumbnail(f), b = thumbnail(rowEnd);
            out.add(new Rectangle(a.x + 2, a.y + thumb + COUNT_H + BAR_GAP, b.x + thumb - a.x - 4, BAR_H));
            f = rowEnd + 1;
        }
        return out;
    }

    /** Thickness of the kept ring inside the cell's 1-pixel dark edge. */
    int keptRing() {
        return Math.max(1, cell / 10);
    }

    static Color windowColour(int i) {
        return WINDOW_COLOURS[i % WINDOW_COLOURS.length];
    }

    /** Well-separated hues for consecutive clusters (golden-ratio steps round the colour wheel). */
    static Color clusterColour(int k) {
        float hue = (float) ((0.07 + k * 0.6180339887498949) % 1.0);
        float sat = k % 3 == 1 ? 0.55f : 0.8f;
        float bri = k % 3 == 2 ? 0.8f : 1.0f;
        return Color.getHSBColor(hue, sat, bri);
    }

    public BufferedImage render() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            drawHeader(g);
            for (int f = 0; f < tokens.frames(); f++) drawFrame(img, g, f);
            for (int i = 0; i < segments.size(); i++) drawWindow(g, i);
            drawLegend(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    // ---- the parts

    private List<String> headerLines() {
        int n = tokens.originalCount(), newlines = tokens.count(TokenKind.NEWLINE), cls = tokens.count(TokenKind.CLS);
        int out = tokens.size() - newlines - cls;
        int kept = 0, merged = 0, dropped = 0;
        for (int f = 0; f < tokens.frames(); f++) {
            for (int p = 0; p < grid * grid; p++) {
                switch (fate(f, p)) {
                    case KEPT -> kept++;
                    case MERGED -> merged++;
                    case DROPPED -> dropped++;
                }
            }
        }
        String frames = tokens.frames() == 1 ? "1 image" : tokens.frames() + " frames";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%d tokens (%s × %d×%d) → %d (%.1f%%): %d kept, %d contextual, %d static%s%s",
                n, frames, grid, grid, out, 100.0 * out / n, tokens.count(TokenKind.DOMINANT), tokens.count(TokenKind.CONTEXTUAL),
                tokens.count(TokenKind.STATIC), cls > 0 ? ", + CLS" : "", newlines > 0 ? ", + " + newlines + " newline" + (newlines > 1 ? "s" : "") : ""));
        lines.add(String.format(Locale.ROOT, "original tokens: %d kept, %d merged into %d tokens, %d dropped%s", kept, merged,
                tokens.count(TokenKind.CONTEXTUAL) + tokens.count(TokenKind.STATIC), dropped,
                segments.isEmpty() ? "" : "; " + segments.size() + " temporal window" + (segments.size() > 1 ? "s" : "")));
        return lines;
    }

    private int textWidth() {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            int w = 0;
            if (title != null) w = g.getFontMetrics(titleFont).stringWidth(title);
            for (String s : header) w = Math.max(w, g.getFontMetrics(textFont).stringWidth(s));
            return w;
        } finally {
            g.dispose();
        }
    }

    private void drawHeader(Graphics2D g) {
        int y = PAD;
        if (title != null) {
            g.setFont(titleFont);
            g.setColor(TEXT);
            y += 18;
            g.drawString(title, PAD, y);
            y += 6;
        }
        g.setFont(textFont);
        g.setColor(MUTED_TEXT);
        for (String s : header) {
            y += 17;
            g.drawString(s, PAD, y);
            y += 2;
        }
    }

    private void drawFrame(BufferedImage img, Graphics2D g, int f) {
        Rectangle t = thumbnail(f);
        g.setFont(textFont);
        g.setColor(TEXT);
        String label = tokens.frames() == 1 && frameIndices == null ? "image"
                : "#" + f + (frameIndices != null ? "  ·  frame " + frameIndices[f] : "");
        g.drawString(label, t.x, t.y - 6);

        int[] px = thumbnailPixels(f);
        int n = grid * grid;
        for (int p = 0; p < n; p++) {
            Fate fate = fate(f, p);
            if (fate == Fate.KEPT) continue;
            Color c = fate == Fate.MERGED ? clusterColourOf(f, p) : null;
            int x0 = (p % grid) * cell, y0 = (p / grid) * cell;
            for (int y = y0; y < y0 + cell; y++) {
                for (int x = x0; x < x0 + cell; x++) {
                    int i = y * thumb + x;
                    px[i] = fate == Fate.DROPPED ? dim(px[i]) : tint(px[i], c);
                }
            }
        }
        // cell edges: strong between different output tokens (so clusters read as regions), faint inside one
        for (int p = 0; p < n; p++) {
            int row = p / grid, col = p % grid;
            if (col + 1 < grid) {
                double k = sameToken(f, p, p + 1) ? 0.8 : 0.35;
                int x = (col + 1) * cell;
                for (int y = row * cell; y < (row + 1) * cell; y++) px[y * thumb + x] = scale(px[y * thumb + x], k);
            }
            if (row + 1 < grid) {
                double k = sameToken(f, p, p + grid) ? 0.8 : 0.35;
                int y = (row + 1) * cell;
                for (int x = col * cell; x < (col + 1) * cell; x++) px[y * thumb + x] = scale(px[y * thumb + x], k);
            }
        }
        img.setRGB(t.x, t.y, thumb, thumb, px, 0, thumb);

        // kept: a bright ring inside a dark edge, visible on light and dark pictures alike
        int ring = keptRing();
        for (int p = 0; p < n && reduced; p++) {
            if (fate(f, p) != Fate.KEPT) continue;
            Rectangle c = cell(f, p);
            g.setColor(KEPT_EDGE);
            g.drawRect(c.x, c.y, c.width - 1, c.height - 1);
            g.setColor(KEPT_OUTLINE);
            g.fillRect(c.x + 1, c.y + 1, c.width - 2, ring);
            g.fillRect(c.x + 1, c.y + c.height - 1 - ring, c.width - 2, ring);
            g.fillRect(c.x + 1, c.y + 1, ring, c.height - 2);
            g.fillRect(c.x + c.width - 1 - ring, c.y + 1, ring, c.height - 2);
        }
        // a dot where each merged token sits
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int d = Math.max(4, (int) Math.round(cell * 0.34));
        for (int r = 0; r < tokens.size(); r++) {
            TokenOrigin o = tokens.origin(r);
            if (clusterColour[r] == null || o.frame() != f || o.pos() < 0) continue;
            Rectangle c = cell(f, o.pos());
            int cx = c.x + (c.width - d) / 2, cy = c.y + (c.height - d) / 2;
            g.setColor(clusterColour[r]);
            g.fillOval(cx, cy, d, d);
            g.setColor(new Color(20, 20, 20));
            g.setStroke(new BasicStroke(1f));
            g.drawOval(cx, cy, d, d);
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setColor(new Color(60, 60, 60));
        g.drawRect(t.x - 1, t.y - 1, thumb + 1, thumb + 1);

        int kept = 0, merged = 0, dropped = 0;
        for (int p = 0; p < n; p++) {
            switch (fate(f, p)) {
                case KEPT -> kept++;
                case MERGED -> merged++;
                case DROPPED -> dropped++;
            }
        }
        g.setFont(smallFont);
        g.setColor(MUTED_TEXT);
        g.drawString(kept + " kept · " + merged + " merged · " + dropped + " dropped", t.x, t.y + thumb + COUNT_H - 4);
    }

    private void drawWindow(Graphics2D g, int i) {
        TemporalWindow w = segments.get(i);
        Color c = windowColour(i);
        List<Rectangle> bars = segmentBars(i);
        g.setColor(c);
        for (Rectangle b : bars) g.fillRoundRect(b.x, b.y, b.width, b.height, BAR_H, BAR_H);
        int statics = 0, kept = 0, ctx = 0;
        for (TokenOrigin o : tokens.origins()) {
            if (o.frame() < w.start() || o.frame() > w.end()) continue;
            switch (o.kind()) {
                case STATIC -> statics++;
                case DOMINANT -> kept++;
                case CONTEXTUAL -> ctx++;
                default -> { }
            }
        }
        String range = w.length() == 1 ? "window [" + w.start() + "]" : "window [" + w.start() + "–" + w.end() + "]";
        StringBuilder s = new StringBuilder(range).append(": ");
        if (statics > 0) s.append(statics).append(" static + ");
        s.append(kept).append(" kept");
        if (ctx > 0) s.append(" + ").append(ctx).append(" contextual");
        Rectangle b = bars.get(0);
        g.setFont(smallFont);
        FontMetrics fm = g.getFontMetrics();
        String text = fm.stringWidth(s.toString()) <= b.width ? s.toString() : range;
        g.drawString(text, b.x + 2, b.y + BAR_H + BAR_LABEL_H - 4);
    }

    /** The legend entries, only for what the map shows. */
    private enum Legend {
        NO_REDUCTION(0, "no reduction: every token is kept"),
        KEPT(16, "kept token"),
        MERGED(48, "merged: one colour per output token, dot = where it sits"),
        DROPPED(16, "dropped"),
        WINDOW(48, "HoliTom temporal window (frame positions); its static tokens merge over all its frames");

        final int swatch;
        final String text;

        Legend(int swatch, String text) {
            this.swatch = swatch;
            this.text = text;
        }
    }

    private static final int LEGEND_LINE = 22;

    private List<Legend> legendItems() {
        if (!reduced) return List.of(Legend.NO_REDUCTION);
        boolean[] seen = new boolean[Fate.values().length];
        for (int f = 0; f < tokens.frames(); f++) for (int p = 0; p < grid * grid; p++) seen[fate(f, p).ordinal()] = true;
        List<Legend> out = new ArrayList<>();
        if (seen[Fate.KEPT.ordinal()]) out.add(Legend.KEPT);
        if (seen[Fate.MERGED.ordinal()]) out.add(Legend.MERGED);
        if (seen[Fate.DROPPED.ordinal()]) out.add(Legend.DROPPED);
        if (!segments.isEmpty()) out.add(Legend.WINDOW);
        return out;
    }

    /** Top-left corner of each legend entry, flowing left to right and wrapping at the canvas width. */
    private List<java.awt.Point> legendLayout(FontMetrics fm, List<Legend> items, int top) {
        List<java.awt.Point> at = new ArrayList<>();
        int x = PAD, y = top;
        for (Legend l : items) {
            int w = (l.swatch > 0 ? l.swatch + 6 : 0) + fm.stringWidth(l.text);
            if (x > PAD && x + w > width - PAD) {
                x = PAD;
                y += LEGEND_LINE;
            }
            at.add(new java.awt.Point(x, y));
            x += w + 24;
        }
        return at;
    }

    private int legendHeight() {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            List<java.awt.Point> at = legendLayout(g.getFontMetrics(textFont), legendItems(), 0);
            return at.isEmpty() ? 0 : at.get(at.size() - 1).y + LEGEND_LINE;
        } finally {
            g.dispose();
        }
    }

    private void drawLegend(Graphics2D g) {
        int s = 16;
        g.setFont(textFont);
        FontMetrics fm = g.getFontMetrics();
        List<Legend> items = legendItems();
        List<java.awt.Point> at = legendLayout(fm, items, legendTop);
        for (int i = 0; i < items.size(); i++) {
            Legend l = items.get(i);
            int x = at.get(i).x, y = at.get(i).y;
            switch (l) {
                case NO_REDUCTION -> { }
                case KEPT -> {
                    g.setColor(new Color(200, 200, 200));
                    g.fillRect(x, y, s, s);
                    g.setColor(KEPT_EDGE);
                    g.drawRect(x, y, s - 1, s - 1);
                    g.setColor(KEPT_OUTLINE);
                    for (int k = 1; k < 3; k++) g.drawRect(x + k, y + k, s - 1 - 2 * k, s - 1 - 2 * k);
                }
                case MERGED -> {
                    for (int k = 0; k < 3; k++) {
                        g.setColor(new Color(tint(0xC8C8C8, clusterColour(k))));
                        g.fillRect(x + k * s, y, s, s);
                    }
                    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                    g.setColor(clusterColour(1));
                    g.fillOval(x + s + 4, y + 4, s - 8, s - 8);
                    g.setColor(new Color(20, 20, 20));
                    g.drawOval(x + s + 4, y + 4, s - 8, s - 8);
                    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
                }
                case DROPPED -> {
                    g.setColor(new Color(dim(0xC8C8C8)));
                    g.fillRect(x, y, s, s);
                }
                case WINDOW -> {
                    g.setColor(windowColour(0));
                    g.fillRoundRect(x, y + 4, l.swatch, BAR_H, BAR_H, BAR_H);
                }
            }
            legendText(g, fm, l.text, x + (l.swatch > 0 ? l.swatch + 6 : 0), y, s);
        }
    }

    private static int legendText(Graphics2D g, FontMetrics fm, String s, int x, int y, int box) {
        g.setColor(TEXT);
        g.drawString(s, x, y + box - 3);
        return x + fm.stringWidth(s);
    }

    // ---- pixels

    /** The frame area-averaged to thumb×thumb (squashed to a square), or a neutral grey tile. */
    private int[] thumbnailPixels(int f) {
        int[] out = new int[thumb * thumb];
        if (frames == null) {
            Arrays.fill(out, 0xB4B4B4);
            return out;
        }
        RgbImage im = frames.get(f);
        int w = im.width(), h = im.height();
        byte[] src = im.pixels();
        for (int oy = 0; oy < thumb; oy++) {
            double sy0 = (double) oy * h / thumb, sy1 = (double) (oy + 1) * h / thumb;
            for (int ox = 0; ox < thumb; ox++) {
                double sx0 = (double) ox * w / thumb, sx1 = (double) (ox + 1) * w / thumb;
                double r = 0, gr = 0, b = 0, area = 0;
                for (int y = (int) sy0; y < Math.min(h, Math.ceil(sy1)); y++) {
                    double wy = Math.min(sy1, y + 1) - Math.max(sy0, y);
                    for (int x = (int) sx0; x < Math.min(w, Math.ceil(sx1)); x++) {
                        double a = wy * (Math.min(sx1, x + 1) - Math.max(sx0, x));
                        int i = (y * w + x) * 3;
                        r += a * (src[i] & 0xff);
                        gr += a * (src[i + 1] & 0xff);
                        b += a * (src[i + 2] & 0xff);
                        area += a;
                    }
                }
                out[oy * thumb + ox] = rgb(r / area, gr / area, b / area);
            }
        }
        return out;
    }

    /** Dropped: grey at a quarter of the brightness. */
    static int dim(int rgb) {
        double lum = 0.299 * (rgb >> 16 & 0xff) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
        double v = 22 + 0.28 * lum;
        return rgb(v, v, v);
    }

    static int tint(int rgb, Color c) {
        return rgb((1 - TINT) * (rgb >> 16 & 0xff) + TINT * c.getRed(), (1 - TINT) * (rgb >> 8 & 0xff) + TINT * c.getGreen(),
                (1 - TINT) * (rgb & 0xff) + TINT * c.getBlue());
    }

    private static int scale(int rgb, double k) {
        return rgb(k * (rgb >> 16 & 0xff), k * (rgb >> 8 & 0xff), k * (rgb & 0xff));
    }

    /** Whether two cells of a frame went the same way: into one output token, or both dropped. */
    private boolean sameToken(int f, int p, int q) {
        int base = f * grid * grid;
        return owner[base + p] == owner[base + q];
    }

    private static int rgb(double r, double g, double b) {
        return clamp(r) << 16 | clamp(g) << 8 | clamp(b);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
