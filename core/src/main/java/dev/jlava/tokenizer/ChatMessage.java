package dev.jlava.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chat turn as chat templates see it: {@code role} and {@code content}, where content is a
 * plain string or a list of typed parts ({@code {"type": "image"}}, {@code {"type": "text", "text": ...}})
 * the way LLaVA processors pass it. Which form a template expects is the template's business:
 * llava-hf templates iterate over parts, text-only templates print the string.
 */
public record ChatMessage(String role, Object content) {

    /** A part of a multimodal message: type "text" (with text), "image" or "video". */
    public record Part(String type, String text) {
        public static Part text(String text) { return new Part("text", text); }

        public static Part image() { return new Part("image", null); }

        public static Part video() { return new Part("video", null); }
    }

    public ChatMessage {
        if (role == null) throw new IllegalArgumentException("role is null");
        if (!(content instanceof String) && !(content instanceof List<?>)) {
            throw new IllegalArgumentException("content must be a String or a List of parts");
        }
    }

    public static ChatMessage of(String role, String text) { return new ChatMessage(role, text); }

    public static ChatMessage of(String role, Part... parts) { return new ChatMessage(role, List.of(parts)); }

    /** The Python-dict view the template renders. */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        if (content instanceof List<?> parts) {
            List<Object> out = new ArrayList<>();
            for (Object p : parts) {
                if (p instanceof Part part) {
                    Map<String, Object> pm = new LinkedHashMap<>();
                    pm.put("type", part.type());
                    if (part.text() != null) pm.put("text", part.text());
                    out.add(pm);
                } else {
                    out.add(p); // already a map
                }
            }
            m.put("content", out);
        } else {
            m.put("content", content);
        }
        return m;
    }
}
