package dev.jlava.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlava.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face {@code tokenizer.json}, parsed as a stream: {@code model.vocab} and {@code model.merges}
 * (Qwen2: 151k + 151k entries, Llama 3: 128k + 280k) go straight into maps and arrays instead of a
 * JSON tree; every other field is kept as a tree.
 *
 * @param root   the document without model.vocab and model.merges
 * @param vocab  id to token text, or null when model.vocab is absent
 * @param merges (left, right) pairs in rank order, or null when model.merges is absent
 */
record TokenizerJson(ObjectNode root, Map<Integer, String> vocab, List<String[]> merges) {

    static TokenizerJson read(Path file, ObjectMapper json) {
        try (JsonParser p = json.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new ModelFileException(file, "expected a JSON object");
            ObjectNode root = json.createObjectNode();
            Map<Integer, String> vocab = null;
            List<String[]> merges = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (!name.equals("model") || t != JsonToken.START_OBJECT) {
                    root.set(name, tree(json, p));
                    continue;
                }
                ObjectNode model = json.createObjectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken ft = p.nextToken();
                    if (field.equals("vocab") && ft == JsonToken.START_OBJECT) {
                        vocab = readVocab(file, p);
                    } else if (field.equals("merges") && ft == JsonToken.START_ARRAY) {
                        merges = readMerges(file, p);
                    } else {
                        model.set(field, tree(json, p));
                    }
                }
                root.set("model", model);
            }
            return new TokenizerJson(root, vocab, merges);
        } catch (JsonProcessingException e) {
            throw new ModelFileException(file, "cannot read JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")" : ""), e);
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static JsonNode tree(ObjectMapper json, JsonParser p) throws IOException {
        JsonNode n = json.readTree(p);
        return n == null ? NullNode.getInstance() : n;
    }

    private static Map<Integer, String> readVocab(Path file, JsonParser p) throws IOException {
        Map<Integer, String> vocab = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String text = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0 || p.getLongValue() > Integer.MAX_VALUE) {
                throw new ModelFileException(file, "field 'model.vocab' entry '" + text + "' has id " + p.getText() + ", expected a non-negative integer");
            }
            vocab.put(p.getIntValue(), text);
        }
        return vocab;
    }

    /** Merges are "left right" strings (older files) or [left, right] pairs (tokenizers >= 0.20). */
    private static List<String[]> readMerges(Path file, JsonParser p) throws IOException {
        List<String[]> merges = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            int r = merges.size();
            if (t == JsonToken.VALUE_STRING) {
                String s = p.getText();
                int sp = s.indexOf(' ', 1);
                if (sp < 0) throw new ModelFileException(file, "field 'model.merges[" + r + "]' '" + s + "' is not 'left right'");
                merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
            } else if (t == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
                String left = p.getText();
                if (p.nextToken() != JsonToken.VALUE_STRING) throw new ModelFileException(file, "field 'model.merges[" + r + "]' is not [left, right]");
                String right = p.getText();
                if (p.nextToken() != JsonToken.END_ARRAY) throw new ModelFileException(file, "field 'model.merges[" + r + "]' has more than two parts");
                merges.add(new String[] {left, right});
            } else {
                throw new ModelFileException(file, "field 'model.merges[" + r + "]' is neither \"left right\" nor [left, right]");
            }
        }
        return merges;
    }
}
