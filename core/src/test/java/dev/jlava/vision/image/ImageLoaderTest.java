package dev.jlava.vision.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.SharedData;
import dev.jlava.vision.MediaFileException;
import dev.jlava.vision.MediaFileException.Problem;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The media images and PNG layouts the goldens do not cover, checked against Pillow's documented
 * {@code convert("RGB")} rules (expected values are those rules applied to the samples written).
 */
class ImageLoaderTest {
    static final Path DUMMY = Path.of("test.png");

    @Test
    void jpegVariantsDecodeCloseToTheLosslessSource() {
        RgbImage png = ImageLoader.load(SharedData.media("still_640x360.png"));
        ImageDiff progressive = ImageDiff.of(ImageLoader.load(SharedData.media("still_640x360_progressive.jpg")), png);
        assertThat(progressive.meanAbs()).as("progressive q90 vs PNG " + progressive).isLessThan(2.0);
        RgbImage texturePng = ImageLoader.load(SharedData.media("texture_384x384.png"));
        ImageDiff texture = ImageDiff.of(ImageLoader.load(SharedData.media("texture_384x384.jpg")), texturePng);
        assertThat(texture.meanAbs()).as("texture jpg vs png " + texture).isLessThan(4.0);
        RgbImage rocket = ImageLoader.load(SharedData.media("real_rocket_640x427.jpg"));
        assertThat(rocket.width()).isEqualTo(640);
        assertThat(rocket.height()).isEqualTo(427);
    }

    /** Pillow does no colour management: an embedded ICC profile must not change the decoded samples. */
    @Test
    void embeddedIccProfileIsIgnored() throws IOException {
        byte[] jpg = Files.readAllBytes(SharedData.media("still_640x360.jpg"));
        byte[] icc = java.awt.color.ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        ByteArrayOutputStream app2 = new ByteArrayOutputStream();
        int len = 2 + 12 + 2 + icc.length;
        app2.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (len >> 8), (byte) len});
        app2.writeBytes("ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        app2.writeBytes(new byte[] {1, 1});
        app2.writeBytes(icc);
        ByteArrayOutputStream withProfile = new ByteArrayOutputStream();
        withProfile.write(jpg, 0, 2); // SOI
        withProfile.writeBytes(app2.toByteArray());
        withProfile.write(jpg, 2, jpg.length - 2);
        assertThat(ImageLoader.decode(withProfile.toByteArray(), Path.of("icc.jpg"), false)).isEqualTo(ImageLoader.decode(jpg, DUMMY, false));
    }

    @Test
    void pngIccProfileIsIgnored() throws IOException {
        byte[] png = Files.readAllBytes(SharedData.media("tiny_8x8.png"));
        byte[] icc = java.awt.color.ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        java.util.zip.Deflater z = new java.util.zip.Deflater();
        z.setInput(icc);
        z.finish();
        byte[] buf = new byte[icc.length + 1024];
        int n = z.deflate(buf);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {'l', 'i', 'n', 0, 0});
        body.write(buf, 0, n);
        byte[] withProfile = insertAfterIhdr(png, "iCCP", body.toByteArray());
        assertThat(ImageLoader.decode(withProfile, Path.of("icc.png"), false)).isEqualTo(ImageLoader.decode(png, DUMMY, false));
    }

    @Test
    void grayscaleJpegBecomesGrayRgb() {
        RgbImage jpg = ImageLoader.load(SharedData.media("gray_320x240.jpg"));
        for (int y = 0; y < jpg.height(); y++) {
            for (int x = 0; x < jpg.width(); x++) {
                assertThat(jpg.get(x, y, 1)).isEqualTo(jpg.get(x, y, 0));
                assertThat(jpg.get(x, y, 2)).isEqualTo(jpg.get(x, y, 0));
            }
        }
        assertThat(ImageDiff.of(jpg, ImageLoader.load(SharedData.media("gray_320x240.png"))).meanAbs()).isLessThan(2.0);
    }

    /** Stored 360x640 with Orientation 6: Pillow (and the HF processors) keep it sideways; exif_transpose makes it upright. */
    @Test
    void exifOrientationIsOnlyAppliedOnRequest() throws IOException {
        Path file = SharedData.media("exif_orientation6.jpg");
        assertThat(ExifOrientation.read(Files.readAllBytes(file))).isEqualTo(6);
        RgbImage asStored = ImageLoader.load(file);
        assertThat(asStored.width()).isEqualTo(360);
        assertThat(asStored.height()).isEqualTo(640);
        RgbImage upright = ImageLoader.load(file, true);
        RgbImage reference = ImageLoader.load(SharedData.media("still_640x360.png"));
        ImageDiff right = ImageDiff.of(upright, reference);
        ImageDiff wrongWay = ImageDiff.of(asStored.rotate90CounterClockwise(), reference);
        assertThat(right.meanAbs()).as(right.toString()).isLessThan(3.0);
        assertThat(wrongWay.meanAbs()).isGreaterThan(10 * right.meanAbs());
        assertThat(ExifOrientation.read(Files.readAllBytes(SharedData.media("still_640x360.jpg")))).isEqualTo(1);
    }

    @Test
    void pngExifChunkIsReadToo() throws IOException {
        BufferedImage src = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        src.getRaster().setPixel(0, 0, new int[] {200, 10, 20});
        byte[] png = withExifChunk(encodePng(src), 3);
        RgbImage plain = ImageLoader.decode(png, DUMMY, false);
        RgbImage turned = ImageLoader.decode(png, DUMMY, true);
        assertThat(turned.get(2, 1, 0)).isEqualTo(plain.get(0, 0, 0)).isEqualTo(200);
        assertThat(turned.get(0, 0, 0)).isZero();
    }

    @Test
    void sixteenBitRgbKeepsTheHighByte() throws IOException {
        int[][] samples = {{0x12ff, 0xfe01, 0x0080}, {0xffff, 0x0000, 0x8000}};
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        BufferedImage img = new BufferedImage(cm, cm.createCompatibleWritableRaster(2, 1), false, null);
        img.getRaster().setPixel(0, 0, samples[0]);
        img.getRaster().setPixel(1, 0, samples[1]);
        RgbImage rgb = ImageLoader.decode(encodePng(img), DUMMY, false);
        assertThat(rgb.pixels()).containsExactly(bytes(0x12, 0xfe, 0x00, 0xff, 0x00, 0x80));
    }

    /** Pillow opens 16-bit gray as mode "I"; convert("RGB") clips the value at 255 instead of scaling. */
    @Test
    void sixteenBitGrayIsClippedLikePillowsModeI() throws IOException {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSamples(0, 0, 4, 1, 0, new int[] {0, 77, 255, 40000});
        RgbImage rgb = ImageLoader.decode(encodePng(img), DUMMY, false);
        assertThat(rgb.pixels()).containsExactly(bytes(0, 0, 0, 77, 77, 77, 255, 255, 255, 255, 255, 255));
    }

    @Test
    void grayAlphaDropsAlpha() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {90, 0});
        r.setPixel(1, 0, new int[] {200, 128});
        RgbImage rgb = ImageLoader.decode(encodePng(new BufferedImage(cm, r, false, null)), DUMMY, false);
        assertThat(rgb.pixels()).containsExactly(bytes(90, 90, 90, 200, 200, 200));
    }

    @Test
    void paletteImagesUseThePaletteColourAndIgnoreTransparency() throws IOException {
        byte[] red = bytes(10, 250, 0, 7), green = bytes(20, 0, 250, 7), blue = bytes(30, 5, 5, 7), alpha = bytes(255, 0, 128, 255);
        IndexColorModel icm = new IndexColorModel(8, 4, red, green, blue, alpha);
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, icm);
        img.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {1, 2, 3});
        RgbImage rgb = ImageLoader.decode(encodePng(img), DUMMY, false);
        assertThat(rgb.pixels()).containsExactly(bytes(250, 0, 5, 0, 250, 5, 7, 7, 7));
    }

    /** 2-bit gray: Pillow's L;2 unpacking scales by 85. */
    @Test
    void lowBitDepthGrayIsScaled() throws IOException {
        byte[] ramp = bytes(0, 85, 170, 255);
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(2, 4, ramp, ramp, ramp));
        img.getRaster().setSamples(0, 0, 4, 1, 0, new int[] {3, 2, 1, 0});
        byte[] png = encodePng(img);
        assertThat(png[24]).as("bit depth").isEqualTo((byte) 2);
        RgbImage rgb = ImageLoader.decode(png, DUMMY, false);
        assertThat(rgb.pixels()).containsExactly(bytes(255, 255, 255, 170, 170, 170, 85, 85, 85, 0, 0, 0));
    }

    @Test
    void badFilesFailWithTheirProblem() throws IOException {
        assertProblem(() -> ImageLoader.load(SharedData.media("empty.mp4")), Problem.EMPTY);
        assertProblem(() -> ImageLoader.load(SharedData.media("not_a_video.mp4")), Problem.NOT_MEDIA);
        assertProblem(() -> ImageLoader.load(SharedData.media("scenes.mp4")), Problem.NOT_MEDIA);
        assertProblem(() -> ImageLoader.load(SharedData.media("no_such_image.png")), Problem.UNREADABLE);
        byte[] jpg = Files.readAllBytes(SharedData.media("still_640x360.jpg"));
        assertProblem(() -> ImageLoader.decode(Arrays.copyOf(jpg, jpg.length / 2), Path.of("half.jpg"), false), Problem.CORRUPT);
        byte[] png = Files.readAllBytes(SharedData.media("still_640x360.png"));
        assertProblem(() -> ImageLoader.decode(Arrays.copyOf(png, png.length / 2), Path.of("half.png"), false), Problem.CORRUPT);
    }

    /** A PNG header announcing 20000 x 20000 pixels is refused before decoding, as Pillow refuses it. */
    @Test
    void decompressionBombsAreRefused() {
        byte[] ihdr = {0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, 2, 0, 0, 0};
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        png.writeBytes(ihdr);
        CRC32 crc = new CRC32();
        crc.update(new byte[] {'I', 'H', 'D', 'R'});
        crc.update(ihdr);
        long c = crc.getValue();
        png.writeBytes(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
        assertProblem(() -> ImageLoader.decode(png.toByteArray(), Path.of("huge.png"), false), Problem.UNSUPPORTED);
    }

    private static void assertProblem(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Problem problem) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MediaFileException.class, e -> {
            assertThat(e.problem()).as(e.getMessage()).isEqualTo(problem);
            assertThat(e.getMessage()).startsWith(e.file() + ": ");
        });
    }

    static byte[] encodePng(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, "png", out)).isTrue();
        return out.toByteArray();
    }

    /** Inserts an eXIf chunk (big-endian TIFF with one Orientation entry) right after IHDR. */
    static byte[] withExifChunk(byte[] png, int orientation) {
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, 0, 0, 0, 0, 0, 0};
        return insertAfterIhdr(png, "eXIf", tiff);
    }

    static byte[] insertAfterIhdr(byte[] png, String type, byte[] data) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        int n = data.length;
        chunk.writeBytes(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        chunk.writeBytes(t);
        chunk.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        long c = crc.getValue();
        chunk.writeBytes(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
        int afterIhdr = 8 + 8 + 13 + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterIhdr);
        out.writeBytes(chunk.toByteArray());
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }
}
