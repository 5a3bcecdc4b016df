package dev.jlava.vision.image;

import dev.jlava.vision.MediaFileException;
import dev.jlava.vision.MediaFileException.Problem;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image file to the RGB bytes Pillow gives for {@code Image.open(f).convert("RGB")}.
 *
 * <p>Decoding is {@code javax.imageio}; the conversion to RGB reads the raster's stored samples
 * (never {@code getRGB}, which would push gray and ICC images through colour management that
 * Pillow does not do) and applies Pillow's mode rules:
 * <ul>
 *   <li>gray (L, 1, 2, 4 bits scaled to 0..255): R = G = B = L;</li>
 *   <li>alpha (RGBA, LA, palette tRNS) is dropped, no compositing;</li>
 *   <li>palette: the palette entry's RGB;</li>
 *   <li>16-bit PNG: Pillow keeps the high byte for RGB, RGBA and gray+alpha, but opens 16-bit
 *       gray as mode "I" whose conversion to RGB <em>clips</em> the value to 0..255 (so most
 *       16-bit gray pixels become white). Both are reproduced.</li>
 * </ul>
 * EXIF orientation is not applied by {@link #load(Path)} (the HF image processors do not apply it
 * to an image they are handed); {@link #load(Path, boolean)} can apply it, as
 * {@code transformers.image_utils.load_image} does for files it opens itself.
 *
 * <p>JPEG: the JDK's decoder is IJG libjpeg 6b (integer IDCT, fancy upsampling), Pillow uses
 * libjpeg-turbo with the same default algorithms; see the tests for the measured difference.
 * Embedded ICC profiles are ignored, as in Pillow (ImageIO would convert JPEG pixels to sRGB).
 * CMYK/YCCK JPEGs are rejected.
 */
public final class ImageLoader {
    private ImageLoader() {}

    /** Pillow raises DecompressionBombError above twice its MAX_IMAGE_PIXELS (89,478,485). */
    static final long MAX_PIXELS = 2L * 89_478_485;

    /** Decodes {@code file} like Pillow's {@code Image.open(file).convert("RGB")} (no EXIF rotation). */
    public static RgbImage load(Path file) {
        return load(file, false);
    }

    /** As {@link #load(Path)}, then rotates/mirrors per the EXIF Orientation tag when asked. */
    public static RgbImage load(Path file, boolean applyExifOrientation) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new MediaFileException(file, Problem.UNREADABLE, "no such file");
        } catch (IOException e) {
            throw new MediaFileException(file, Problem.UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
        return decode(data, file, applyExifOrientation);
    }

    /** Decodes an encoded image held in memory; {@code name} is used in error messages. */
    public static RgbImage decode(byte[] data, Path name, boolean applyExifOrientation) {
        if (data.length == 0) throw new MediaFileException(name, Problem.EMPTY, "empty file (0 bytes), not an image");
        BufferedImage img = read(withoutJpegIccProfile(data), name);
        RgbImage rgb = toRgb(img, isPlainGray16Png(data), name);
        return applyExifOrientation ? ExifOrientation.apply(rgb, ExifOrientation.read(data)) : rgb;
    }

    private static BufferedImage read(byte[] data, Path name) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new MediaFileException(name, Problem.NOT_MEDIA, "not an image in a known format (PNG, JPEG, GIF, BMP, TIFF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // Pillow refuses truncated or damaged data by default; so do we, instead of
                // accepting the grey fill ImageIO reports only as a warning.
                String[] warning = new String[1];
                reader.addIIOReadWarningListener((source, message) -> { if (warning[0] == null) warning[0] = message; });
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new MediaFileException(name, Problem.UNSUPPORTED, reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels is more than the " + MAX_PIXELS + " Pillow accepts (decompression bomb?)");
                }
                BufferedImage img = reader.read(0);
                if (warning[0] != null) {
                    throw new MediaFileException(name, Problem.CORRUPT, "damaged or truncated " + reader.getFormatName()
                            + " data: " + warning[0]);
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IIOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            if (msg.contains("Unsupported Image Type")) {
                throw new MediaFileException(name, Problem.UNSUPPORTED, "unsupported colour layout (CMYK or YCCK JPEG?): " + msg, e);
            }
            throw new MediaFileException(name, Problem.CORRUPT, "cannot decode: " + msg, e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof MediaFileException m) throw m;
            throw new MediaFileException(name, Problem.CORRUPT, "cannot decode: " + e, e);
        }
    }

    /**
     * The JPEG without its APP2 ICC_PROFILE segments. ImageIO converts the pixels from an embedded
     * profile to sRGB; Pillow does no colour management, so the profile must not be seen.
     * Anything that is not a JPEG is returned unchanged.
     */
    static byte[] withoutJpegIccProfile(byte[] d) {
        if (d.length < 4 || (d[0] & 0xff) != 0xFF || (d[1] & 0xff) != 0xD8) return d;
        java.io.ByteArrayOutputStream out = null;
        int p = 2, copied = 0;
        while (p + 4 <= d.length && (d[p] & 0xff) == 0xFF) {
            int marker = d[p + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) break; // scan data follows: no more metadata segments
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0xFF) { p += marker == 0xFF ? 1 : 2; continue; }
            int len = ((d[p + 2] & 0xff) << 8) | (d[p + 3] & 0xff);
            if (len < 2 || p + 2 + len > d.length) break;
            boolean icc = marker == 0xE2 && len >= 16
                    && new String(d, p + 4, 12, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ICC_PROFILE\0");
            if (icc) {
                if (out == null) out = new java.io.ByteArrayOutputStream(d.length);
                out.write(d, copied, p - copied);
                copied = p + 2 + len;
            }
            p += 2 + len;
        }
        if (out == null) return d;
        out.write(d, copied, d.length - copied);
        return out.toByteArray();
    }

    /**
     * True for a PNG whose IHDR says 16-bit gray without an alpha channel: Pillow opens it as mode
     * "I" even when a tRNS chunk makes ImageIO add an alpha band.
     */
    private static boolean isPlainGray16Png(byte[] d) {
        return d.length >= 26 && (d[0] & 0xff) == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G'
                && d[12] == 'I' && d[13] == 'H' && d[14] == 'D' && d[15] == 'R' && d[24] == 16 && d[25] == 0;
    }

    /** Pillow's convert("RGB") on the decoded samples. */
    static RgbImage toRgb(BufferedImage img, boolean plainGray16Png, Path name) {
        int w = img.getWidth(), h = img.getHeight();
        Raster r = img.getRaster();
        ColorModel cm = img.getColorModel();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        if (cm instanceof IndexColorModel icm) {
            // palette images and 1/2/4-bit gray (ImageIO builds a 0..255 ramp palette for those,
            // which equals Pillow's scaling of L;2 by 85 and L;4 by 17)
            int size = icm.getMapSize();
            int[] pix = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, pix);
                for (int x = 0; x < w; x++) {
                    int i = pix[x], o = (y * w + x) * 3;
                    if (i < size) {
                        out[o] = (byte) icm.getRed(i);
                        out[o + 1] = (byte) icm.getGreen(i);
                        out[o + 2] = (byte) icm.getBlue(i);
                    }
                }
            }
            return new RgbImage(w, h, out);
        }
        if (cm instanceof ComponentColorModel) {
            int space = cm.getColorSpace().getType();
            int bands = r.getNumBands();
            int bits = r.getSampleModel().getSampleSize(0);
            boolean gray = space == ColorSpace.TYPE_GRAY;
            if (!gray && space != ColorSpace.TYPE_RGB) {
                throw new MediaFileException(name, Problem.UNSUPPORTED, "unsupported colour space (type " + space + ", "
                        + bands + " channels)");
            }
            if (r.getDataBuffer().getDataType() != DataBuffer.TYPE_BYTE && r.getDataBuffer().getDataType() != DataBuffer.TYPE_USHORT) {
                throw new MediaFileException(name, Problem.UNSUPPORTED, "unsupported sample type " + r.getDataBuffer().getDataType());
            }
            // 16-bit: Pillow keeps the high byte, except plain 16-bit gray ("I" mode), which it clips
            boolean clipGray16 = bits == 16 && gray && (plainGray16Png || !cm.hasAlpha());
            int[] s = new int[w];
            for (int c = 0; c < 3; c++) {
                int band = gray ? 0 : c;
                for (int y = 0; y < h; y++) {
                    r.getSamples(0, y, w, 1, band, s);
                    for (int x = 0; x < w; x++) {
                        int v = s[x];
                        if (bits == 16) v = clipGray16 ? Math.min(v, 255) : v >>> 8;
                        else if (bits != 8) v = v * 255 / ((1 << bits) - 1);
                        out[(y * w + x) * 3 + c] = (byte) v;
                    }
                }
            }
            return new RgbImage(w, h, out);
        }
        // packed RGB (BMP, 16-bit 5-6-5 ...): the model's own 8-bit channel values, alpha ignored
        if (cm.getColorSpace().getType() != ColorSpace.TYPE_RGB) {
            throw new MediaFileException(name, Problem.UNSUPPORTED, "unsupported colour model " + cm.getClass().getSimpleName());
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Object el = r.getDataElements(x, y, null);
                int o = (y * w + x) * 3;
                out[o] = (byte) cm.getRed(el);
                out[o + 1] = (byte) cm.getGreen(el);
                out[o + 2] = (byte) cm.getBlue(el);
            }
        }
        return new RgbImage(w, h, out);
    }
}
