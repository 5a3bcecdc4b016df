package dev.jlava.app;

/** A bad option or request: the message is shown to the user as is. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
