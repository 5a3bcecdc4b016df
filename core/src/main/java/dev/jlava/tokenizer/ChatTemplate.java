package dev.jlava.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import dev.jlava.io.Gguf;
import dev.jlava.io.ModelFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's Jinja chat template, rendered as transformers' {@code apply_chat_template(messages,
 * add_generation_prompt=..., tokenize=False)} does: variables {@code messages}, {@code add_generation_prompt},
 * {@code bos_token}, {@code eos_token} (plus any extra ones). The result is text to encode with
 * special tokens parsed; the template writes BOS itself only if it says so.
 */
public final class ChatTemplate {
    private static final Jinjava JINJA = HfJinja.create();

    /**
     * transformers' historical default ChatML, extended to part lists the way LLaVA-OneVision's
     * template writes them (images, then videos, then text). Used for Qwen2 checkpoints without a template.
     */
    public static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' }}"
            + "{% if message['content'] is string %}{{ message['content'] }}{% else %}"
            + "{% for part in message['content'] %}{% if part['type'] == 'image' %}{{ '<image>\\n' }}{% endif %}{% endfor %}"
            + "{% for part in message['content'] %}{% if part['type'] == 'video' %}{{ '<video>\\n' }}{% endif %}{% endfor %}"
            + "{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}"
            + "{% endif %}{{ '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private final String source;
    private final Path origin;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(String source, Path origin, String bosToken, String eosToken) {
        this.source = source;
        this.origin = origin;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
    }

    /** A template given as text (bos/eos may be null). */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        return new ChatTemplate(source, null, bosToken, eosToken);
    }

    public static ChatTemplate chatMl() {
        return new ChatTemplate(CHATML, null, "", "<|im_end|>");
    }

    /**
     * The template a Hugging Face folder ships: {@code chat_template.jinja}, else {@code chat_template.json}
     * ("chat_template"), else {@code tokenizer_config.json} ("chat_template": a string, or a list of
     * {name, template} of which "default" or the first is taken).
     */
    public static Optional<ChatTemplate> fromHfFolder(Path dir) {
        JsonNode config = HfTokenizerLoader.readOptional(dir.resolve("tokenizer_config.json"));
        String bos = configToken(config, "bos_token"), eos = configToken(config, "eos_token");
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.exists(jinja)) {
            try {
                return Optional.of(new ChatTemplate(Files.readString(jinja, StandardCharsets.UTF_8), jinja, bos, eos));
            } catch (IOException e) {
                throw new ModelFileException(jinja, "cannot read: " + e.getMessage(), e);
            }
        }
        Path json = dir.resolve("chat_template.json");
        JsonNode ct = HfTokenizerLoader.readOptional(json);
        if (ct != null) return Optional.of(new ChatTemplate(templateText(json, ct.path("chat_template")), json, bos, eos));
        if (config != null && config.has("chat_template") && !config.get("chat_template").isNull()) {
            Path file = dir.resolve("tokenizer_config.json");
            return Optional.of(new ChatTemplate(templateText(file, config.get("chat_template")), file, bos, eos));
        }
        return Optional.empty();
    }

    /**
     * {@link #fromHfFolder}, else ChatML for Qwen2-family folders (tokenizer_class Qwen2Tokenizer or
     * config.json model_type qwen2), else a ModelFileException.
     */
    public static ChatTemplate forHfFolder(Path dir) {
        Optional<ChatTemplate> shipped = fromHfFolder(dir);
        if (shipped.isPresent()) return shipped.get();
        JsonNode config = HfTokenizerLoader.readOptional(dir.resolve("tokenizer_config.json"));
        JsonNode model = HfTokenizerLoader.readOptional(dir.resolve("config.json"));
        boolean qwen = (config != null && config.path("tokenizer_class").asText("").startsWith("Qwen2"))
                || (model != null && model.path("model_type").asText("").startsWith("qwen2"));
        if (qwen) return chatMl();
        throw new ModelFileException(dir, "no chat template (looked for chat_template.jinja, chat_template.json and "
                + "'chat_template' in tokenizer_config.json) and no default for this model type");
    }

    /** {@code tokenizer.chat_template} of a GGUF file, with its BOS/EOS token texts. */
    public static Optional<ChatTemplate> fromGguf(Gguf gguf) {
        String key = "tokenizer.chat_template";
        if (!gguf.hasKey(key)) return Optional.empty();
        String[] tokens = gguf.hasKey("tokenizer.ggml.tokens") ? gguf.getStringArray("tokenizer.ggml.tokens") : new String[0];
        int bos = gguf.getInt("tokenizer.ggml.bos_token_id", -1), eos = gguf.getInt("tokenizer.ggml.eos_token_id", -1);
        return Optional.of(new ChatTemplate(gguf.getString(key), gguf.file(),
                bos >= 0 && bos < tokens.length ? tokens[bos] : "", eos >= 0 && eos < tokens.length ? tokens[eos] : ""));
    }

    public String source() { return source; }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * @param extra further template variables (e.g. {@code tools}, {@code date_string}); they override the defaults
     * @throws IllegalArgumentException when the template rejects the messages ({@code raise_exception})
     * @throws ModelFileException       when a template from a file fails to render
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
        List<Object> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) msgs.add(m.toTemplateValue());
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", msgs);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        vars.putAll(extra);
        RenderResult result = JINJA.renderForResult(source, vars);
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() != TemplateError.ErrorType.FATAL) continue;
            for (Throwable t = e.getException(); t != null; t = t.getCause()) {
                if (t instanceof HfJinja.TemplateRaised r) throw new IllegalArgumentException("chat template: " + r.getMessage());
            }
            String what = "chat template, line " + e.getLineno() + ": " + e.getMessage();
            if (origin != null) throw new ModelFileException(origin, what);
            throw new IllegalArgumentException(what);
        }
        return result.getOutput();
    }

    private static String templateText(Path file, JsonNode t) {
        if (t.isTextual()) return t.asText();
        if (t.isArray() && !t.isEmpty()) {
            for (JsonNode named : t) if (named.path("name").asText("").equals("default")) return named.path("template").asText();
            return t.get(0).path("template").asText();
        }
        throw new ModelFileException(file, "field 'chat_template' is neither a string nor a list of {name, template}");
    }

    private static String configToken(JsonNode config, String key) {
        if (config == null) return "";
        JsonNode t = config.path(key);
        return t.isTextual() ? t.asText() : t.path("content").asText("");
    }
}
