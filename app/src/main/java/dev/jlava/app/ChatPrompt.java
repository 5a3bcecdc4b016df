package dev.jlava.app;

import java.nio.file.Path;

/** Renders a single user message with the model's chat template. */
final class ChatPrompt {
    private ChatPrompt() {}

    static String format(Path model, String userText) {
        throw new UserError("chat templates are not wired yet; use --raw");
    }
}
