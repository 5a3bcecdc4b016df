package dev.jlava.video;

import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

import dev.jlava.vision.MediaFileException;
import dev.jlava.vision.MediaFileException.Problem;
import dev.jlava.vision.image.RgbImage;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decoded frame (any pixel format) to 8-bit RGB with swscale, configured like the scale filter
 * the ffmpeg CLI inserts for {@code -pix_fmt rgb24}: same size, {@code flags=bicubic}, and (as
 * vf_scale's {@code in_color_matrix=auto}) the YCbCr matrix and range the frame is tagged with;
 * untagged or unknown matrices fall back to BT.601.
 */
final class RgbConversion implements AutoCloseable {
    private SwsContext sws;
    private BytePointer buffer;
    private int stride;

    RgbImage convert(AVFrame frame, Path file) {
        int w = frame.width(), h = frame.height();
        sws = sws_getCachedContext(sws, w, h, frame.format(), w, h, AV_PIX_FMT_RGB24, SWS_BICUBIC, null, null, (DoublePointer) null);
        if (sws == null || sws.isNull()) {
            throw new MediaFileException(file, Problem.UNSUPPORTED, "cannot convert pixel format "
                    + av_get_pix_fmt_name(frame.format()).getString() + " to RGB");
        }
        useFrameColorimetry(frame);
        int need = (w * 3 + 63) & ~63;
        if (buffer == null || need * h > buffer.capacity() || need != stride) {
            if (buffer != null) buffer.close();
            stride = need;
            buffer = new BytePointer((long) stride * h);
        }
        int rows;
        try (PointerPointer<BytePointer> dst = new PointerPointer<>(buffer, null, null, null);
             IntPointer dstStride = new IntPointer(new int[] {stride, 0, 0, 0})) {
            rows = sws_scale(sws, frame.data(), frame.linesize(), 0, h, dst, dstStride);
        }
        if (rows != h) throw new MediaFileException(file, Problem.CORRUPT, "RGB conversion produced " + rows + " of " + h + " rows");
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) buffer.position((long) y * stride).get(rgb, y * w * 3, w * 3);
        buffer.position(0);
        return new RgbImage(w, h, rgb);
    }

    private void useFrameColorimetry(AVFrame frame) {
        int cs = frame.colorspace();
        if (cs < 1 || cs > 10 || cs == AVCOL_SPC_YCGCO) cs = AVCOL_SPC_BT470BG; // as vf_scale's parse_yuv_type
        IntPointer coefficients = sws_getCoefficients(cs);
        try (PointerPointer<?> inv = new PointerPointer<>(1); PointerPointer<?> table = new PointerPointer<>(1);
             IntPointer inFull = new IntPointer(1); IntPointer outFull = new IntPointer(1); IntPointer brightness = new IntPointer(1);
             IntPointer contrast = new IntPointer(1); IntPointer saturation = new IntPointer(1)) {
            // the current settings keep swscale's own range for full-range (yuvj) input and RGB output
            if (sws_getColorspaceDetails(sws, inv, inFull, table, outFull, brightness, contrast, saturation) < 0) return;
            int range = frame.color_range();
            int full = range == AVCOL_RANGE_UNSPECIFIED ? inFull.get() : (range == AVCOL_RANGE_JPEG ? 1 : 0);
            sws_setColorspaceDetails(sws, coefficients, full, coefficients, outFull.get(), brightness.get(), contrast.get(), saturation.get());
        }
    }

    @Override
    public void close() {
        if (sws != null) sws_freeContext(sws);
        if (buffer != null) buffer.close();
    }
}
