package dev.jlava.video;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Writes synthetic clips with known scene cuts (MPEG-4 Part 2, which this LGPL FFmpeg build
 * encodes): four scenes of equal length, each a static background with one moving object. The
 * demo's embedded clip was made with {@link #main}; tests can make their own fixtures the same way.
 */
public final class SyntheticClips {
    private SyntheticClips() {}

    /** Writes {@code scenes} scenes of {@code framesPerScene} frames each at {@code fps}. */
    public static void writeScenes(Path out, int width, int height, int fps, int scenes, int framesPerScene) throws IOException {
        Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp.mp4");
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(tmp.toFile(), width, height, 0);
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            rec.setFrameRate(fps);
            rec.setVideoQuality(3);
            rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            rec.start();
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
            for (int s = 0; s < scenes; s++) {
                for (int i = 0; i < framesPerScene; i++) {
                    draw(img, s % 4, (double) i / framesPerScene);
                    rec.record(conv.convert(img));
                }
            }
            rec.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            Files.deleteIfExists(tmp);
            throw new IOException(out + ": cannot encode: " + e.getMessage(), e);
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Scene 0: a sun crossing the sky; 1: a ball on grass; 2: the moon among stars; 3: a car in a street. */
    static void draw(BufferedImage img, int scene, double t) {
        int w = img.getWidth(), h = img.getHeight();
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        switch (scene) {
            case 0 -> {
                g.setColor(new Color(110, 170, 235));
                g.fillRect(0, 0, w, h);
                g.setColor(new Color(60, 140, 60));
                g.fillRect(0, h * 3 / 4, w, h / 4);
                g.setColor(new Color(250, 215, 40));
                int r = h / 8;
                g.fillOval((int) (t * (w - 2 * r)), h / 6, 2 * r, 2 * r);
            }
            case 1 -> {
                g.setColor(new Color(70, 150, 60));
                g.fillRect(0, 0, w, h);
                g.setColor(new Color(230, 230, 230));
                g.fillRect(w / 2 - 2, 0, 4, h);
                g.setColor(new Color(210, 40, 40));
                int r = h / 10;
                int y = (int) (h / 2 + Math.sin(t * Math.PI * 4) * h / 4);
                g.fillOval((int) (w - t * (w - 2 * r)) - 2 * r, y - r, 2 * r, 2 * r);
            }
            case 2 -> {
                g.setColor(new Color(15, 20, 45));
                g.fillRect(0, 0, w, h);
                g.setColor(Color.WHITE);
                java.util.Random stars = new java.util.Random(7);
                for (int i = 0; i < 40; i++) g.fillRect(stars.nextInt(w), stars.nextInt(h), 2, 2);
                g.setColor(new Color(240, 240, 210));
                int r = h / 7;
                g.fillOval(w / 2 - r + (int) (t * w / 6), h / 3 - r, 2 * r, 2 * r);
            }
            default -> {
                g.setColor(new Color(150, 150, 155));
                g.fillRect(0, 0, w, h);
                g.setColor(new Color(95, 95, 100));
                for (int x = 0; x < w; x += w / 5) g.fillRect(x + 6, h / 8, w / 5 - 12, h / 2);
                g.setColor(new Color(50, 50, 55));
                g.fillRect(0, h * 2 / 3, w, h / 3);
                g.setColor(new Color(40, 90, 210));
                int cw = w / 4, ch = h / 8;
                g.fillRect((int) (t * (w - cw)), h * 2 / 3 + ch / 2, cw, ch);
            }
        }
        g.dispose();
    }

    /** Writes the demo clip: {@code SyntheticClips OUT.mp4}. */
    public static void main(String[] args) throws IOException {
        writeScenes(Path.of(args.length > 0 ? args[0] : "demo-scenes.mp4"), 320, 240, 8, 4, 16);
    }
}
