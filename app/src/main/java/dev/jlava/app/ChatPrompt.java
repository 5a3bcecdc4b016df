package dev.jlava.app;

import dev.jlava.io.Gguf;
import dev.jlava.llm.DecoderCheckpoint;
import dev.jlava.llm.DecoderConfig;
import dev.jlava.tokenizer.ChatMessage;
import dev.jlava.tokenizer.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Renders a single user message with the model's own chat template. */
final class ChatPrompt {
    private ChatPrompt() {}

    static ChatTemplate templateOf(DecoderCheckpoint ck) {
        if (ck.store() instanceof Gguf g) {
            return ChatTemplate.fromGguf(g).orElseGet(() -> {
                if (ck.config().architecture() == DecoderConfig.Architecture.QWEN2) return ChatTemplate.chatMl();
                throw new UserError(ck.path() + ": the file has no tokenizer.chat_template; use --raw to send the prompt as is");
            });
        }
        Path dir = Files.isDirectory(ck.path()) ? ck.path() : ck.path().getParent();
        return ChatTemplate.forHfFolder(dir);
    }

    static String format(ChatTemplate t, String userText) {
        return t.render(List.of(ChatMessage.of("user", userText)), true);
    }
}
