package dev.jlava.vision;

import java.nio.file.Path;

/**
 * An image or video file that cannot be used. The message names the file and what is wrong
 * ("file: what"); {@link #problem()} classifies it so callers and tests need not parse text.
 */
public class MediaFileException extends RuntimeException {
    /** What kind of failure this is. */
    public enum Problem {
        /** The file does not exist or cannot be read. */
        UNREADABLE,
        /** Zero bytes. */
        EMPTY,
        /** Not a container/image format the decoders recognise. */
        NOT_MEDIA,
        /** A known container whose index or data is cut short (e.g. an MP4 without its moov atom). */
        TRUNCATED,
        /** The container holds no video stream (e.g. audio only). */
        NO_VIDEO_STREAM,
        /** The stream's codec or pixel layout is not supported by this build. */
        UNSUPPORTED,
        /** The data is damaged: decoding failed. */
        CORRUPT
    }

    private final transient Path file;
    private final Problem problem;

    public MediaFileException(Path file, Problem problem, String what) {
        super(file + ": " + what);
        this.file = file;
        this.problem = problem;
    }

    public MediaFileException(Path file, Problem problem, String what, Throwable cause) {
        super(file + ": " + what, cause);
        this.file = file;
        this.problem = problem;
    }

    public Path file() { return file; }

    public Problem problem() { return problem; }
}
