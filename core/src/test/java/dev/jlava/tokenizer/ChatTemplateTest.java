package dev.jlava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatTemplateTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The golden JSON's chat_messages as ChatMessages (content parts as maps). */
    static List<ChatMessage> messages(JsonNode chat) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : chat) {
            List<ChatMessage.Part> parts = new ArrayList<>();
            for (JsonNode p : m.path("content")) parts.add(new ChatMessage.Part(p.path("type").asText(), p.has("text") ? p.get("text").asText() : null));
            out.add(ChatMessage.of(m.path("role").asText(), parts.toArray(ChatMessage.Part[]::new)));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"case_a_video_noreduce", "case_e_image_anyres"})
    void llavaOnevisionTemplateGivesTheGoldenPromptText(String caseName) throws IOException {
        JsonNode p = JSON.readTree(SharedData.golden("llava-ov/" + caseName + ".json").toFile()).path("prompt");
        ChatTemplate t = ChatTemplate.forHfFolder(SharedData.golden("llava-ov/tiny-llava-ov-hf"));
        String text = t.render(messages(p.path("chat_messages")), true);
        assertThat(text).isEqualTo(p.path("prompt_text").asText());
        // and tokenized with the checkpoint's tokenizer: placeholder once, text ids as recorded
        int[] ids = TestTokenizers.LlavaOvHf.TOK.encode(text);
        assertThat(ids[p.path("visual_start").asInt()]).isEqualTo(p.path("placeholder_id").asInt());
    }

    @Test
    void llavaOnevisionTemplateInTokenizerConfigIsTheSame() throws IOException {
        Path dir = SharedData.golden("llava-ov/tiny-llava-ov-hf");
        String fromConfig = HfTokenizerLoader.read(dir.resolve("tokenizer_config.json")).path("chat_template").asText();
        assertThat(ChatTemplate.forHfFolder(dir).source()).isEqualTo(fromConfig);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny.still_640x360.none", "tiny.real_chelsea_451x300.none"})
    void llava15TemplateGivesTheCasePrompt(String caseName) throws IOException {
        JsonNode c = JSON.readTree(SharedData.golden("llava15/cases/" + caseName + ".json").toFile());
        String prompt = c.path("prompt").asText();
        String question = prompt.substring(prompt.indexOf('\n') + 1, prompt.lastIndexOf(" ASSISTANT:"));
        ChatTemplate t = ChatTemplate.forHfFolder(SharedData.golden("llava15/tiny-llava15-hf"));
        String text = t.render(List.of(ChatMessage.of("user", ChatMessage.Part.image(), ChatMessage.Part.text(question))), true);
        assertThat(text).isEqualTo(prompt);
        assertThat(TestTokenizers.Llava15Hf.TOK.encode(text)).containsExactly(PromptIdsTest.ids(c.path("prompt_ids_unexpanded")));
    }

    @Test
    void assistantTurnsGoThroughTheGenerationBlock() {
        ChatTemplate ov = ChatTemplate.forHfFolder(SharedData.golden("llava-ov/tiny-llava-ov-hf"));
        String text = ov.render(List.of(
                ChatMessage.of("user", ChatMessage.Part.text("Hi"), ChatMessage.Part.image()),
                ChatMessage.of("assistant", ChatMessage.Part.text("Hello!"))), false);
        assertThat(text).isEqualTo("<|im_start|>user\n<image>\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n");
        ChatTemplate l15 = ChatTemplate.forHfFolder(SharedData.golden("llava15/tiny-llava15-hf"));
        assertThat(l15.render(List.of(ChatMessage.of("user", ChatMessage.Part.text("Q")), ChatMessage.of("assistant", ChatMessage.Part.text("A"))), false))
                .isEqualTo("USER: Q ASSISTANT: A ");
    }

    @Test
    void qwen2WithoutTemplateFallsBackToChatMl() {
        Path dir = SharedData.golden("llm/qwen2-tiny-hf");
        assertThat(ChatTemplate.fromHfFolder(dir)).isEmpty();
        ChatTemplate t = ChatTemplate.forHfFolder(dir);
        String text = t.render(List.of(ChatMessage.of("system", "Be brief."), ChatMessage.of("user", "Hi")), true);
        assertThat(text).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        Tokenizer tok = TestTokenizers.Qwen2TinyHf.TOK;
        int[] ids = tok.encode(text);
        assertThat(ids).startsWith(8193).containsSubsequence(8194, 198, 8193);
        assertThat(tok.decode(ids)).isEqualTo(text);
        // part lists as LLaVA-OneVision writes them
        assertThat(t.render(List.of(ChatMessage.of("user", ChatMessage.Part.text("What?"), ChatMessage.Part.video())), true))
                .isEqualTo("<|im_start|>user\n<video>\nWhat?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void noTemplateAndNoDefaultIsAnError() {
        assertThatThrownBy(() -> ChatTemplate.forHfFolder(SharedData.golden("llm/llama-tiny-hf")))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("chat_template");
    }

    private static String render(String template, List<ChatMessage> msgs) {
        return ChatTemplate.of(template, "<s>", "</s>").render(msgs, true);
    }

    private static final List<ChatMessage> TWO = List.of(ChatMessage.of("system", "  sys  "), ChatMessage.of("user", "Hello, World"));

    @Test
    void jinjaFeaturesHfTemplatesUse() {
        assertThat(render("{% for m in messages %}{{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}", TWO)).isEqualTo("system,user");
        assertThat(render("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", TWO)).isEqualTo("2");
        assertThat(render("[{{ messages[0].content.strip() }}|{{ messages[0].content | trim }}|{{ messages[0]['content'].lstrip() }}]", TWO))
                .isEqualTo("[sys|sys|sys  ]");
        assertThat(render("{{ messages[1].content is string }} {{ messages[1].content.upper() }} {{ messages[1].content.lower() }}", TWO))
                .isEqualTo("true HELLO, WORLD hello, world");
        assertThat(render("{{ messages[1].content.startswith('Hello') }} {{ messages[1].content.endswith(('x', 'ld')) }}", TWO))
                .isEqualTo("true true");
        assertThat(render("{{ messages[1].content.split(', ') | length }}|{{ messages[1].content.split(', ')[1] }}|{{ '-'.join(['a', 'b']) }}", TWO))
                .isEqualTo("2|World|a-b");
        assertThat(render("{{ bos_token }}{{ messages[0].role.title() }}{{ eos_token }}{{ add_generation_prompt }}", TWO)).isEqualTo("<s>System</s>true");
        assertThat(render("{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% endif %}{{ loop_messages | length }}", TWO))
                .isEqualTo("1");
        // trim_blocks and lstrip_blocks, as transformers' environment
        assertThat(render("{% for m in messages %}\n    {% if m.role == 'user' %}\n{{ m.content }}\n    {% endif %}\n{% endfor %}", TWO))
                .isEqualTo("Hello, World\n");
        assertThat(render("{%- for m in messages -%} {{ m.role }} {%- endfor %}", TWO)).isEqualTo("systemuser");
        assertThat(render("{% generation %}{{ messages[1].content }}{% endgeneration %}", TWO)).isEqualTo("Hello, World");
    }

    @Test
    void tojsonWritesLikePythonJsonDumps() {
        List<ChatMessage> msgs = List.of(ChatMessage.of("user", ChatMessage.Part.text("é \"q\"")));
        assertThat(render("{{ messages[0] | tojson }}", msgs)).isEqualTo("{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"é \\\"q\\\"\"}]}");
        assertThat(ChatTemplate.of("{{ tools | tojson(indent=2) }}", null, null).render(List.of(), false, Map.of("tools", Map.of("a", 1))))
                .isEqualTo("{\n  \"a\": 1\n}");
    }

    @Test
    void raiseExceptionRejectsTheMessages() {
        String t = "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation must start with user') }}{% endif %}ok";
        assertThatThrownBy(() -> render(t, TWO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Conversation must start with user");
        assertThat(render(t, List.of(ChatMessage.of("user", "x")))).isEqualTo("ok");
    }

    @Test
    void messageTextIsNotInterpretedAsTemplate() {
        assertThat(render("{{ messages[0].content }}", List.of(ChatMessage.of("user", "{{ 7 * 7 }} {% if %}")))).isEqualTo("{{ 7 * 7 }} {% if %}");
    }

    @Test
    void brokenTemplateFromAFileNamesTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0].content.nosuchmethod() }}");
        ChatTemplate t = ChatTemplate.fromHfFolder(dir).orElseThrow();
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.of("user", "x")), true))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("chat_template.jinja").hasMessageContaining("nosuchmethod");
        Files.delete(dir.resolve("chat_template.jinja"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"default\", \"template\": \"D\"}]}");
        assertThat(ChatTemplate.fromHfFolder(dir).orElseThrow().render(List.of(), false)).isEqualTo("D");
    }
}
