package dev.jlava.io;

import java.nio.file.Path;

/**
 * A model, tokenizer or config file that cannot be used, with one message naming the file,
 * the field or tensor, and what is wrong. The CLI prints the message alone (no stack trace).
 */
public class ModelFileException extends RuntimeException {
    public ModelFileException(Path file, String what) {
        super(file + ": " + what);
    }

    public ModelFileException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
    }
}
