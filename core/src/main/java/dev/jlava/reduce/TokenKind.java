package dev.jlava.reduce;

/**
 * What a visual token is, with the integer codes of the golden {@code provenance} tensors
 * (column 0: 0 dominant, 1 contextual, 2 static, 3 newline).
 */
public enum TokenKind {
    /** One original grid token kept unchanged: kept for its attention (HoliTom, VisionZip), or never reduced. */
    DOMINANT(0),
    /** A cluster of one frame's tokens merged into one, located at its centre (or target) token. */
    CONTEXTUAL(1),
    /** A HoliTom window-static token: averaged over the window's frames, cluster-merged, shown in the window's first frame. */
    STATIC(2),
    /** An {@code image_newline} row. */
    NEWLINE(3),
    /** The CLIP class token (LLaVA-1.5 VisionZip keeps it); not a grid token. */
    CLS(4);

    public final int code;

    TokenKind(int code) {
        this.code = code;
    }
}
