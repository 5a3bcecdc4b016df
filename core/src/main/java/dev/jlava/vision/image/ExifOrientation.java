package dev.jlava.vision.image;

/**
 * The EXIF Orientation tag (0x0112) and the transform that makes an image upright, as Pillow's
 * {@code ImageOps.exif_transpose} does (which {@code transformers.image_utils.load_image} calls on
 * files it opens). Reads the TIFF structure of a JPEG APP1 "Exif" segment or a PNG eXIf chunk.
 * Malformed or absent EXIF means orientation 1 (no change), never an error.
 */
public final class ExifOrientation {
    private ExifOrientation() {}

    /** Orientation 1..8 from an encoded JPEG or PNG file, or 1 when absent or unreadable. */
    public static int read(byte[] file) {
        try {
            byte[] tiff = findTiff(file);
            return tiff == null ? 1 : fromTiff(tiff);
        } catch (IndexOutOfBoundsException e) {
            return 1;
        }
    }

    /**
     * Applies orientation {@code o}: 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90
     * clockwise, 7 transverse, 8 rotate 90 counter-clockwise; anything else returns the image.
     */
    public static RgbImage apply(RgbImage img, int o) {
        return switch (o) {
            case 2 -> img.flipHorizontal();
            case 3 -> img.rotate180();
            case 4 -> img.flipVertical();
            case 5 -> img.rotate90CounterClockwise().flipVertical();
            case 6 -> img.rotate90Clockwise();
            case 7 -> img.rotate90Clockwise().flipVertical();
            case 8 -> img.rotate90CounterClockwise();
            default -> img;
        };
    }

    private static byte[] findTiff(byte[] f) {
        if (f.length > 4 && (f[0] & 0xff) == 0xFF && (f[1] & 0xff) == 0xD8) {
            int p = 2;
            while (p + 4 <= f.length && (f[p] & 0xff) == 0xFF) {
                int marker = f[p + 1] & 0xff;
                if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { p += 2; continue; }
                if (marker == 0xDA || marker == 0xD9) return null; // image data starts: no EXIF before it
                int len = u16be(f, p + 2);
                if (marker == 0xE1 && len >= 8 && f[p + 4] == 'E' && f[p + 5] == 'x' && f[p + 6] == 'i' && f[p + 7] == 'f'
                        && f[p + 8] == 0 && f[p + 9] == 0) {
                    int start = p + 10, end = Math.min(f.length, p + 2 + len);
                    return java.util.Arrays.copyOfRange(f, start, end);
                }
                p += 2 + len;
            }
            return null;
        }
        if (f.length > 8 && (f[0] & 0xff) == 0x89 && f[1] == 'P' && f[2] == 'N' && f[3] == 'G') {
            int p = 8;
            while (p + 8 <= f.length) {
                long len = u32be(f, p);
                String type = new String(f, p + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (len > f.length - p - 12) return null;
                if (type.equals("eXIf")) return java.util.Arrays.copyOfRange(f, p + 8, p + 8 + (int) len);
                if (type.equals("IDAT") || type.equals("IEND")) return null; // eXIf must precede the image data
                p += 12 + (int) len;
            }
        }
        return null;
    }

    private static int fromTiff(byte[] t) {
        boolean le;
        if (t[0] == 'I' && t[1] == 'I') le = true;
        else if (t[0] == 'M' && t[1] == 'M') le = false;
        else return 1;
        if (u16(t, 2, le) != 42) return 1;
        long ifd = u32(t, 4, le);
        if (ifd < 8 || ifd + 2 > t.length) return 1;
        int n = u16(t, (int) ifd, le);
        for (int i = 0; i < n; i++) {
            int e = (int) ifd + 2 + 12 * i;
            if (e + 12 > t.length) return 1;
            if (u16(t, e, le) == 0x0112) {
                int type = u16(t, e + 2, le);
                int v = type == 3 ? u16(t, e + 8, le) : type == 4 ? (int) u32(t, e + 8, le) : 1;
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    private static int u16be(byte[] b, int p) { return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff); }

    private static long u32be(byte[] b, int p) { return ((long) u16be(b, p) << 16) | u16be(b, p + 2); }

    private static int u16(byte[] b, int p, boolean le) {
        return le ? (b[p] & 0xff) | ((b[p + 1] & 0xff) << 8) : u16be(b, p);
    }

    private static long u32(byte[] b, int p, boolean le) {
        return le ? (u16(b, p, true) | ((long) u16(b, p + 2, true) << 16)) : u32be(b, p);
    }
}
