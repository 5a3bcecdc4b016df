package dev.jlava.video;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import dev.jlava.vision.MediaFileException;
import dev.jlava.vision.MediaFileException.Problem;
import dev.jlava.vision.image.RgbImage;
import dev.jlava.vision.video.Frame;
import dev.jlava.vision.video.FrameSource;
import dev.jlava.vision.video.UniformSampling;
import dev.jlava.vision.video.VideoInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.IntPointer;

/**
 * A {@link FrameSource} on FFmpeg (the JavaCPP presets bundled with JavaCV, called directly so
 * every step is visible). It reproduces what the reference pipeline did with
 * {@code ffmpeg -i f -map 0:v:0 -fps_mode passthrough -pix_fmt rgb24}: every frame the decoder
 * outputs, in presentation order, no frame-rate conversion, converted to RGB24 by
 * {@link RgbConversion}; frames are counted by decoding (containers' frame counts can be wrong)
 * and the display-matrix rotation is applied like ffmpeg's autorotate.
 *
 * <p>Frames are decoded sequentially and only the requested ones are converted and kept. The
 * first call decodes once, guessing the frame count from the container; only when the decoded
 * count differs (sparse AVI, truncated file, no count in the header) does a second pass run.
 */
public final class FfmpegFrameSource implements FrameSource {
    static {
        // FFmpeg writes warnings and errors to stderr; failures surface as MediaFileException instead
        av_log_set_level(AV_LOG_QUIET);
    }

    private final Path file;
    private final StreamFacts facts;
    private int decodedFrames = -1;

    private FfmpegFrameSource(Path file, StreamFacts facts) {
        this.file = file;
        this.facts = facts;
    }

    /** Opens and checks {@code file}: it must exist, be a container FFmpeg reads, and hold a decodable video stream. */
    public static FfmpegFrameSource open(Path file) {
        if (!Files.isRegularFile(file)) throw new MediaFileException(file, Problem.UNREADABLE, "no such file");
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new MediaFileException(file, Problem.UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
        if (size == 0) throw new MediaFileException(file, Problem.EMPTY, "empty file (0 bytes), not a video");
        try (Pass pass = new Pass(file)) {
            return new FfmpegFrameSource(file, pass.facts);
        }
    }

    @Override
    public VideoInfo probe() {
        int count = decodedFrameCount();
        boolean quarter = facts.rotation % 180 != 0;
        return new VideoInfo(file, count, facts.headerFrames, facts.fps, facts.durationSeconds,
                quarter ? facts.height : facts.width, quarter ? facts.width : facts.height, facts.rotation, facts.codec);
    }

    @Override
    public List<Frame> sample(int n) {
        if (n <= 0) throw new IllegalArgumentException("number of frames to sample must be positive, got " + n);
        if (decodedFrames < 0) {
            // one pass with the container's count; it is right for most files, and the pass counts exactly
            long guess = facts.headerFrames > 0 ? facts.headerFrames : facts.estimatedFrames();
            if (guess > 0 && guess <= Integer.MAX_VALUE) {
                int[] idx = UniformSampling.indices((int) guess, n);
                List<Frame> got = decode(idx, true);
                if (decodedFrames == guess) return got;
            }
        }
        return frames(UniformSampling.indices(decodedFrameCount(), n));
    }

    @Override
    public List<Frame> frames(int[] indices) {
        int total = decodedFrameCount();
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= total) {
                throw new IndexOutOfBoundsException("frame " + indices[i] + " of " + file + ", which has " + total + " frames");
            }
            if (i > 0 && indices[i] < indices[i - 1]) throw new IllegalArgumentException("frame indices must be non-decreasing");
        }
        return decode(indices, false);
    }

    /** Frames the decoder outputs (a full decoding pass without colour conversion, done once). */
    private int decodedFrameCount() {
        if (decodedFrames < 0) decode(new int[0], true);
        return decodedFrames;
    }

    /**
     * Decodes from the start, converting the frames at {@code indices} (non-decreasing). With
     * {@code toEnd} the pass runs to the end of the stream and records the exact frame count;
     * otherwise it stops after the last wanted frame.
     */
    private List<Frame> decode(int[] indices, boolean toEnd) {
        List<Frame> out = new ArrayList<>(indices.length);
        try (Pass pass = new Pass(file); RgbConversion rgb = new RgbConversion()) {
            int[] next = {0};
            int count = pass.forEachFrame((index, frame) -> {
                if (next[0] < indices.length && indices[next[0]] == index) {
                    RgbImage img = rotate(rgb.convert(frame, file));
                    double t = frame.best_effort_timestamp() == AV_NOPTS_VALUE ? Double.NaN
                            : frame.best_effort_timestamp() * av_q2d(pass.stream.time_base());
                    Frame f = new Frame(index, t, img);
                    while (next[0] < indices.length && indices[next[0]] == index) {
                        out.add(f);
                        next[0]++;
                    }
                }
                return toEnd || next[0] < indices.length;
            });
            if (count == 0) {
                throw new MediaFileException(file, Problem.CORRUPT, "no video frame could be decoded"
                        + (pass.lastError != null ? " (FFmpeg: " + pass.lastError + ")" : ""));
            }
            if (toEnd) decodedFrames = count;
        }
        return out;
    }

    private RgbImage rotate(RgbImage img) {
        return switch (facts.rotation) {
            case 90 -> img.rotate90Clockwise();
            case 180 -> img.rotate180();
            case 270 -> img.rotate90CounterClockwise();
            default -> img;
        };
    }

    @Override
    public void close() {
        // nothing is held between passes
    }

    /** What the container says about the video stream. */
    record StreamFacts(String codec, int width, int height, double fps, double durationSeconds, long headerFrames, int rotation) {
        long estimatedFrames() {
            return fps > 0 && durationSeconds > 0 ? Math.round(fps * durationSeconds) : -1;
        }
    }

    @FunctionalInterface
    interface FrameVisitor {
        /** Returns false to stop decoding. */
        boolean visit(int index, AVFrame frame);
    }

    /** One sequential decoding pass: demuxer and decoder, opened and closed together. */
    static final class Pass implements AutoCloseable {
        final Path file;
        final AVFormatContext fmt;
        AVCodecContext dec;
        AVStream stream;
        int streamIndex;
        StreamFacts facts;
        String lastError;

        Pass(Path file) {
            this.file = file;
            AVFormatContext ctx = new AVFormatContext(null);
            int ret = avformat_open_input(ctx, file.toString(), null, null);
            if (ret < 0) throw openFailure(file, ret);
            this.fmt = ctx;
            try {
                init();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private void init() {
            String container = fmt.iformat().name().getString();
            if (container.endsWith("_pipe") || container.equals("image2")) {
                // FFmpeg reads a still image as a one-frame video; callers should use ImageLoader
                throw new MediaFileException(file, Problem.NOT_MEDIA, "a still image (" + container.replace("_pipe", "")
                        + "), not a video");
            }
            int ret = avformat_find_stream_info(fmt, (org.bytedeco.ffmpeg.avutil.AVDictionary) null);
            if (ret < 0) throw new MediaFileException(file, Problem.CORRUPT, "cannot read the stream parameters (FFmpeg: " + err(ret) + ")");
            streamIndex = -1;
            List<String> others = new ArrayList<>();
            for (int i = 0; i < fmt.nb_streams(); i++) {
                AVStream s = fmt.streams(i);
                AVCodecParameters p = s.codecpar();
                boolean picture = (s.disposition() & AV_DISPOSITION_ATTACHED_PIC) != 0;
                if (p.codec_type() == AVMEDIA_TYPE_VIDEO && !picture && streamIndex < 0) {
                    streamIndex = i;
                } else {
                    String type = av_get_media_type_string(p.codec_type()) == null ? "unknown" : av_get_media_type_string(p.codec_type()).getString();
                    others.add(type + (picture ? " (cover picture)" : "") + " " + avcodec_get_name(p.codec_id()).getString());
                }
            }
            if (streamIndex < 0) {
                throw new MediaFileException(file, Problem.NO_VIDEO_STREAM, "no video stream ("
                        + (others.isEmpty() ? "no streams at all" : "only " + String.join(", ", others)) + ")");
            }
            stream = fmt.streams(streamIndex);
            AVCodecParameters par = stream.codecpar();
            String codecName = avcodec_get_name(par.codec_id()).getString();
            AVCodec codec = avcodec_find_decoder(par.codec_id());
            if (codec == null || codec.isNull()) {
                throw new MediaFileException(file, Problem.UNSUPPORTED, "video codec '" + codecName + "' has no decoder in this FFmpeg build");
            }
            dec = avcodec_alloc_context3(codec);
            ret = avcodec_parameters_to_context(dec, par);
            if (ret < 0) throw new MediaFileException(file, Problem.CORRUPT, "bad " + codecName + " parameters (FFmpeg: " + err(ret) + ")");
            // one decoding thread: frame threading can drop frames around damaged data (the truncated
            // test file then yields 160 frames instead of the reference's 162)
            dec.thread_count(Integer.getInteger("jlava.ffmpeg.threads", 1));
            ret = avcodec_open2(dec, codec, (org.bytedeco.ffmpeg.avutil.AVDictionary) null);
            if (ret < 0) throw new MediaFileException(file, Problem.UNSUPPORTED, "cannot open the " + codecName + " decoder (FFmpeg: " + err(ret) + ")");
            if (par.width() <= 0 || par.height() <= 0) {
                throw new MediaFileException(file, Problem.CORRUPT, "video stream has no frame size (" + par.width() + "x" + par.height() + ")");
            }
            AVRational r = stream.avg_frame_rate();
            if (r.num() == 0 || r.den() == 0) r = stream.r_frame_rate();
            double fps = r.den() == 0 ? 0 : (double) r.num() / r.den();
            double duration = stream.duration() != AV_NOPTS_VALUE ? stream.duration() * av_q2d(stream.time_base())
                    : fmt.duration() != AV_NOPTS_VALUE ? fmt.duration() / (double) AV_TIME_BASE : 0;
            long header = stream.nb_frames() > 0 ? stream.nb_frames() : -1;
            facts = new StreamFacts(codecName, par.width(), par.height(), fps, duration, header, rotation(par));
        }

        /** Clockwise degrees to display upright, as ffmpeg's autorotate computes them from the display matrix. */
        private static int rotation(AVCodecParameters par) {
            AVPacketSideData sd = av_packet_side_data_get(par.coded_side_data(), par.nb_coded_side_data(), AV_PKT_DATA_DISPLAYMATRIX);
            if (sd == null || sd.isNull() || sd.size() < 9 * 4) return 0;
            double ccw = av_display_rotation_get(new IntPointer(sd.data()));
            if (Double.isNaN(ccw)) return 0;
            double theta = -Math.round(ccw);
            theta -= 360 * Math.floor(theta / 360 + 0.9 / 360);
            int deg = (int) Math.round(theta);
            return deg == 90 || deg == 180 || deg == 270 ? deg : 0;
        }

        /** Decodes every frame in order, calling {@code visitor} until it returns false; returns the frames seen. */
        int forEachFrame(FrameVisitor visitor) {
            AVPacket pkt = av_packet_alloc();
            AVFrame frame = av_frame_alloc();
            int index = 0;
            try {
                boolean more = true;
                while (more) {
                    int ret = av_read_frame(fmt, pkt);
                    if (ret < 0) {
                        if (ret != AVERROR_EOF) lastError = err(ret); // truncated data ends the stream, as in the ffmpeg CLI
                        break;
                    }
                    try {
                        if (pkt.stream_index() != streamIndex) continue;
                        ret = avcodec_send_packet(dec, pkt);
                        if (ret < 0 && ret != AVERROR_EAGAIN()) {
                            lastError = err(ret); // a damaged packet: skip it and go on, as the CLI does
                            continue;
                        }
                    } finally {
                        av_packet_unref(pkt);
                    }
                    while (more && (ret = avcodec_receive_frame(dec, frame)) >= 0) {
                        more = visitor.visit(index++, frame);
                        av_frame_unref(frame);
                    }
                    if (more && ret < 0 && ret != AVERROR_EAGAIN() && ret != AVERROR_EOF) lastError = err(ret);
                }
                if (more) {
                    avcodec_send_packet(dec, (AVPacket) null); // drain the frames still inside the decoder
                    int ret;
                    while (more && (ret = avcodec_receive_frame(dec, frame)) >= 0) {
                        more = visitor.visit(index++, frame);
                        av_frame_unref(frame);
                    }
                }
                return index;
            } finally {
                av_frame_free(frame);
                av_packet_free(pkt);
            }
        }

        @Override
        public void close() {
            if (dec != null) avcodec_free_context(dec);
            avformat_close_input(fmt);
        }
    }

    private static MediaFileException openFailure(Path file, int ret) {
        String ff = err(ret);
        if (isIsoMediaWithoutIndex(file)) {
            return new MediaFileException(file, Problem.TRUNCATED, "MP4/MOV file without its index (no moov atom): "
                    + "truncated, or a recording that was never finalised (FFmpeg: " + ff + ")");
        }
        return new MediaFileException(file, Problem.NOT_MEDIA, "not a video file FFmpeg can read (FFmpeg: " + ff + ")");
    }

    /** An ISO base media file (MP4, MOV): 'ftyp' first, and no top-level 'moov' box. */
    static boolean isIsoMediaWithoutIndex(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] h = new byte[16];
            long pos = 0, size = Files.size(file);
            boolean first = true;
            while (pos + 8 <= size) {
                if (in.readNBytes(h, 0, 8) < 8) return !first;
                long len = ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
                String type = new String(h, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (first && !type.equals("ftyp")) return false;
                first = false;
                if (type.equals("moov")) return false;
                long header = 8;
                if (len == 1) {
                    if (in.readNBytes(h, 8, 8) < 8) return true;
                    len = 0;
                    for (int i = 8; i < 16; i++) len = (len << 8) | (h[i] & 0xffL);
                    header = 16;
                } else if (len == 0) {
                    len = size - pos;
                }
                if (len < header) return true;
                in.skipNBytes(Math.min(len - header, size - pos - header));
                pos += len;
            }
            return !first;
        } catch (IOException e) {
            return false;
        }
    }

    static String err(int code) {
        byte[] buf = new byte[256];
        av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
