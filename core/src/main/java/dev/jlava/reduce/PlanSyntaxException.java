package dev.jlava.reduce;

/** A reduction plan that cannot be parsed or does not fit the model; the message says what is accepted. */
public class PlanSyntaxException extends IllegalArgumentException {
    public PlanSyntaxException(String message) {
        super(message);
    }
}
