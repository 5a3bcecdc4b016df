package dev.jlava.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.io.ModelFileException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds a tokenizer from a Hugging Face folder: the fast-tokenizer file {@code tokenizer.json}
 * (model BPE; the normalizer, pre_tokenizer, post_processor and decoder kinds that GPT-2, Qwen2,
 * Llama 2/3 and LLaVA checkpoints use), or the slow byte-level pair {@code vocab.json} +
 * {@code merges.txt}. BOS/EOS and add_bos come from {@code tokenizer_config.json} when it says so,
 * otherwise from tokenizer.json's post_processor.
 */
final class HfTokenizerLoader {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-Fa-f]{2}>");

    private HfTokenizerLoader() {}

    static BpeTokenizer load(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelFileException(dir, "not a directory (expected a Hugging Face model folder)");
        JsonNode config = readOptional(dir.resolve("tokenizer_config.json"));
        Path tj = dir.resolve("tokenizer.json");
        if (Files.exists(tj)) return fromTokenizerJson(tj, config, dir);
        Path vocab = dir.resolve("vocab.json"), merges = dir.resolve("merges.txt");
        if (Files.exists(vocab) && Files.exists(merges)) return fromVocabMerges(vocab, merges, config, dir);
        if (Files.exists(dir.resolve("tokenizer.model"))) {
            throw new ModelFileException(dir.resolve("tokenizer.model"),
                    "SentencePiece protobuf tokenizers are not supported; convert to tokenizer.json (transformers' fast tokenizer) or use the GGUF file");
        }
        throw new ModelFileException(dir, "no tokenizer found: expected tokenizer.json, or vocab.json + merges.txt");
    }

    // ---------------------------------------------------------------- tokenizer.json

    static BpeTokenizer fromTokenizerJson(Path file, JsonNode config, Path dir) {
        TokenizerJson parsed = TokenizerJson.read(file, JSON);
        JsonNode root = parsed.root();
        JsonNode model = field(file, root, "model");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) throw bad(file, "model.type", "'" + type + "' is not supported (only BPE)");
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(affix).asText("").isEmpty()) throw bad(file, "model." + affix, "is set; subword affixes are not supported");
        }
        if (parsed.vocab() == null) throw bad(file, "model.vocab", model.has("vocab") ? "is not an object of token -> id" : "is missing");
        if (parsed.merges() == null) throw bad(file, "model.merges", model.has("merges") ? "is not a list" : "is missing");
        boolean byteFallback = model.path("byte_fallback").asBoolean(false);

        // Ids: the model vocabulary plus added_tokens (which may reuse vocabulary ids, e.g. <unk> = 0).
        List<AddedToken> added = new ArrayList<>();
        JsonNode addedNode = root.path("added_tokens");
        for (int i = 0; i < addedNode.size(); i++) {
            JsonNode a = addedNode.get(i);
            if (!a.path("id").canConvertToInt() || !a.path("content").isTextual()) {
                throw bad(file, "added_tokens[" + i + "]", "needs an integer 'id' and a string 'content'");
            }
            added.add(new AddedToken(a.get("id").asInt(), a.get("content").asText(), a.path("special").asBoolean(false),
                    a.path("lstrip").asBoolean(false), a.path("rstrip").asBoolean(false)));
        }
        String unkText = model.path("unk_token").isTextual() ? model.get("unk_token").asText() : null;
        Vocabulary vocab = vocabulary(parsed.vocab(), added, unkText, byteFallback);

        List<String[]> merges = parsed.merges();
        MergeTable table = new MergeTable(merges.size());
        for (int r = 0; r < merges.size(); r++) {
            String err = GgufTokenizerLoader.addMerge(table, vocab, merges.get(r)[0], merges.get(r)[1], r);
            if (err != null) throw bad(file, "model.merges", err);
        }
        int unk = unkText == null ? -1 : vocab.id(unkText);
        BpeModel bpe = new BpeModel(vocab, table, byteFallback, unk, model.path("ignore_merges").asBoolean(false));

        Normalizer normalizer = normalizer(file, root.path("normalizer"), "normalizer");
        boolean[] byteLevelSeen = {false};
        PreTokenizer pre = preTokenizer(file, root.path("pre_tokenizer"), "pre_tokenizer", byteLevelSeen);
        Decoding decoding = decoding(file, root.path("decoder"), byteLevelSeen[0]);

        // BOS: tokenizer_config.json wins (transformers applies add_bos_token on load), else the post_processor.
        int[] template = templateBos(file, root.path("post_processor"));
        int bos = idOfConfigToken(config, "bos_token", vocab);
        if (bos < 0) bos = template[0];
        if (bos < 0) bos = idFromGenerationConfig(dir, "bos_token_id");
        boolean addBos = config != null && config.path("add_bos_token").isBoolean()
                ? config.get("add_bos_token").asBoolean() : template[0] >= 0;
        int eos = idOfConfigToken(config, "eos_token", vocab);
        if (eos < 0) eos = idFromGenerationConfig(dir, "eos_token_id");

        return new BpeTokenizer("BPE from " + file, vocab, specials(added), normalizer, pre, bpe,
                decoding.style(), decoding.stripFirstSpace(), bos, eos, addBos, eog(dir, vocab, eos));
    }

    record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip) {}

    private static Vocabulary vocabulary(Map<Integer, String> texts, List<AddedToken> added, String unkText, boolean byteFallback) {
        int n = 0;
        for (int id : texts.keySet()) n = Math.max(n, id + 1);
        for (AddedToken a : added) n = Math.max(n, a.id() + 1);
        String[] t = new String[n];
        TokenType[] types = new TokenType[n];
        texts.forEach((id, s) -> {
            t[id] = s;
            types[id] = byteFallback && BYTE_TOKEN.matcher(s).matches() ? TokenType.BYTE : TokenType.NORMAL;
        });
        for (AddedToken a : added) {
            t[a.id()] = a.content();
            types[a.id()] = a.content().equals(unkText) ? TokenType.UNKNOWN : a.special() ? TokenType.CONTROL : TokenType.USER_DEFINED;
        }
        return new Vocabulary(t, types, null);
    }

    /** HF splits on every added token (special or not) unless asked not to parse special ones. */
    private static List<SpecialTokens.Entry> specials(List<AddedToken> added) {
        List<SpecialTokens.Entry> out = new ArrayList<>();
        for (AddedToken a : added) out.add(new SpecialTokens.Entry(a.content(), a.id(), a.special(), a.lstrip(), a.rstrip()));
        return out;
    }

    private static Normalizer normalizer(Path file, JsonNode n, String where) {
        if (n.isMissingNode() || n.isNull()) return Normalizer.IDENTITY;
        String type = n.path("type").asText("");
        return switch (type) {
            case "NFC" -> Normalizer.unicode(Form.NFC);
            case "NFD" -> Normalizer.unicode(Form.NFD);
            case "NFKC" -> Normalizer.unicode(Form.NFKC);
            case "NFKD" -> Normalizer.unicode(Form.NFKD);
            case "Lowercase" -> t -> t.toLowerCase(java.util.Locale.ROOT);
            case "Prepend" -> Normalizer.prepend(field(file, n, where + ".prepend").asText());
            case "Replace" -> {
                JsonNode pat = field(file, n, where + ".pattern");
                String content = field(file, n, where + ".content").asText();
                if (pat.has("String")) yield Normalizer.replace(pat.get("String").asText(), content);
                Pattern p = regex(file, pat.path("Regex").asText(), where + ".pattern");
                yield t -> p.matcher(t).replaceAll(java.util.regex.Matcher.quoteReplacement(content));
            }
            case "Sequence" -> {
                JsonNode list = field(file, n, where + ".normalizers");
                List<Normalizer> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) steps.add(normalizer(file, list.get(i), where + ".normalizers[" + i + "]"));
                yield Normalizer.sequence(steps);
            }
            default -> throw bad(file, where + ".type", "'" + type + "' is not supported (NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Sequence)");
        };
    }

    private static PreTokenizer preTokenizer(Path file, JsonNode n, String where, boolean[] byteLevelSeen) {
        if (n.isMissingNode() || n.isNull()) return PreTokenizer.whole();
        String type = n.path("type").asText("");
        return switch (type) {
            case "Sequence" -> {
                JsonNode list = field(file, n, where + ".pretokenizers");
                List<PreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) steps.add(preTokenizer(file, list.get(i), where + ".pretokenizers[" + i + "]", byteLevelSeen));
                yield PreTokenizer.sequence(steps);
            }
            case "Split" -> {
                String behavior = n.path("behavior").asText("Isolated");
                if (!behavior.equals("Isolated")) throw bad(file, where + ".behavior", "'" + behavior + "' is not supported (only Isolated)");
                if (n.path("invert").asBoolean(false)) throw bad(file, where + ".invert", "true is not supported");
                JsonNode pat = field(file, n, where + ".pattern");
                String regex = pat.has("String") ? Pattern.quote(pat.get("String").asText()) : pat.path("Regex").asText(null);
                if (regex == null) throw bad(file, where + ".pattern", "needs 'Regex' or 'String'");
                regex(file, regex, where + ".pattern");
                yield PreTokenizer.regexIsolated(regex);
            }
            case "ByteLevel" -> {
                byteLevelSeen[0] = true;
                PreTokenizer before = n.path("use_regex").asBoolean(true)
                        ? PreTokenizer.regexIsolated(PreTokenizer.GPT2_REGEX) : PreTokenizer.whole();
                yield PreTokenizer.byteLevel(before, n.path("add_prefix_space").asBoolean(false));
            }
            case "Metaspace" -> {
                String rep = n.path("replacement").asText("\u2581");
                if (rep.length() != 1) throw bad(file, where + ".replacement", "must be one character");
                PreTokenizer.PrependScheme scheme = metaspaceScheme(file, n, where);
                yield PreTokenizer.metaspace(rep.charAt(0), scheme, n.path("split").asBoolean(true));
            }
            default -> throw bad(file, where + ".type", "'" + type + "' is not supported (Sequence, Split, ByteLevel, Metaspace)");
        };
    }

    private static PreTokenizer.PrependScheme metaspaceScheme(Path file, JsonNode n, String where) {
        if (n.has("prepend_scheme")) {
            String s = n.get("prepend_scheme").asText();
            return switch (s) {
                case "always" -> PreTokenizer.PrependScheme.ALWAYS;
                case "first" -> PreTokenizer.PrependScheme.FIRST;
                case "never" -> PreTokenizer.PrependScheme.NEVER;
                default -> throw bad(file, where + ".prepend_scheme", "'" + s + "' is not always, first or never");
            };
        }
        return n.path("add_prefix_space").asBoolean(true) ? PreTokenizer.PrependScheme.ALWAYS : PreTokenizer.PrependScheme.NEVER;
    }

    record Decoding(BpeTokenizer.Style style, boolean stripFirstSpace) {}

    /** Byte-level if the decoder (or, without one, the pre-tokenizer) is ByteLevel; otherwise SentencePiece-style. */
    private static Decoding decoding(Path file, JsonNode n, boolean byteLevelPre) {
        if (n.isMissingNode() || n.isNull()) {
            return new Decoding(byteLevelPre ? BpeTokenizer.Style.BYTE_LEVEL : BpeTokenizer.Style.SENTENCEPIECE, false);
        }
        List<JsonNode> steps = new ArrayList<>();
        if (n.path("type").asText("").equals("Sequence")) field(file, n, "decoder.decoders").forEach(steps::add);
        else steps.add(n);
        boolean byteLevel = false, strip = false;
        for (JsonNode d : steps) {
            String type = d.path("type").asText("");
            switch (type) {
                case "ByteLevel" -> byteLevel = true;
                case "ByteFallback", "Fuse", "Replace" -> { }
                case "Strip" -> strip |= d.path("content").asText(" ").equals(" ") && d.path("start").asInt(0) >= 1;
                case "Metaspace" -> strip |= metaspaceScheme(file, d, "decoder") != PreTokenizer.PrependScheme.NEVER;
                default -> throw bad(file, "decoder.type", "'" + type + "' is not supported (ByteLevel, ByteFallback, Fuse, Replace, Strip, Metaspace, Sequence)");
            }
        }
        return new Decoding(byteLevel ? BpeTokenizer.Style.BYTE_LEVEL : BpeTokenizer.Style.SENTENCEPIECE, strip && !byteLevel);
    }

    /** {bos id or -1} from a TemplateProcessing whose single-sequence template starts with a special token. */
    private static int[] templateBos(Path file, JsonNode pp) {
        if (pp.isMissingNode() || pp.isNull()) return new int[] {-1};
        String type = pp.path("type").asText("");
        if (type.equals("Sequence")) {
            for (JsonNode p : pp.path("processors")) {
                int[] r = templateBos(file, p);
                if (r[0] >= 0) return r;
            }
            return new int[] {-1};
        }
        if (!type.equals("TemplateProcessing")) return new int[] {-1};
        JsonNode first = pp.path("single").path(0);
        if (!first.has("SpecialToken")) return new int[] {-1};
        String name = first.get("SpecialToken").path("id").asText();
        JsonNode ids = pp.path("special_tokens").path(name).path("ids");
        if (ids.size() != 1) throw bad(file, "post_processor.special_tokens." + name + ".ids", "expected exactly one id");
        return new int[] {ids.get(0).asInt()};
    }

    // ---------------------------------------------------------------- vocab.json + merges.txt

    static BpeTokenizer fromVocabMerges(Path vocabFile, Path mergesFile, JsonNode config, Path dir) {
        JsonNode vocabNode = read(vocabFile);
        if (!vocabNode.isObject()) throw new ModelFileException(vocabFile, "expected a JSON object of token -> id");
        Map<Integer, String> texts = new HashMap<>();
        vocabNode.properties().forEach(e -> {
            if (!e.getValue().canConvertToInt()) throw new ModelFileException(vocabFile, "entry '" + e.getKey() + "' is not an integer id");
            texts.put(e.getValue().asInt(), e.getKey());
        });
        // Added tokens: tokenizer_config.json added_tokens_decoder, then added_tokens.json.
        Map<Integer, AddedToken> added = new LinkedHashMap<>();
        if (config != null) {
            config.path("added_tokens_decoder").properties().forEach(e -> {
                JsonNode a = e.getValue();
                int id = Integer.parseInt(e.getKey());
                added.put(id, new AddedToken(id, a.path("content").asText(), a.path("special").asBoolean(false),
                        a.path("lstrip").asBoolean(false), a.path("rstrip").asBoolean(false)));
            });
        }
        JsonNode extra = readOptional(dir.resolve("added_tokens.json"));
        if (extra != null) {
            extra.properties().forEach(e -> added.putIfAbsent(e.getValue().asInt(),
                    new AddedToken(e.getValue().asInt(), e.getKey(), true, false, false)));
        }
        List<AddedToken> addedList = new ArrayList<>(added.values());
        Vocabulary vocab = vocabulary(texts, addedList, null, false);

        List<String[]> merges = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(mergesFile, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || (lineNo == 1 && line.startsWith("#version"))) continue;
                String[] parts = line.strip().split(" ");
                if (parts.length != 2) throw new ModelFileException(mergesFile, "line " + lineNo + " '" + line + "' is not 'left right'");
                merges.add(parts);
            }
        } catch (IOException e) {
            throw new ModelFileException(mergesFile, "cannot read: " + e.getMessage(), e);
        }
        MergeTable table = new MergeTable(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            String err = GgufTokenizerLoader.addMerge(table, vocab, merges.get(i)[0], merges.get(i)[1], i);
            if (err != null) throw new ModelFileException(mergesFile, "merge " + err);
        }
        String cls = config == null ? "" : config.path("tokenizer_class").asText("");
        boolean qwen = cls.startsWith("Qwen2");
        Normalizer norm = qwen ? Normalizer.unicode(Form.NFC) : Normalizer.IDENTITY;
        PreTokenizer pre = PreTokenizer.byteLevel(PreTokenizer.regexIsolated(qwen ? PreTokenizer.QWEN2_REGEX : PreTokenizer.GPT2_REGEX),
                config != null && config.path("add_prefix_space").asBoolean(false));
        int bos = idOfConfigToken(config, "bos_token", vocab);
        int eos = idOfConfigToken(config, "eos_token", vocab);
        if (eos < 0) eos = idFromGenerationConfig(dir, "eos_token_id");
        boolean addBos = config != null && config.path("add_bos_token").asBoolean(false) && bos >= 0;
        return new BpeTokenizer("byte-level BPE from " + vocabFile + " + " + mergesFile.getFileName(), vocab, specials(addedList), norm, pre,
                new BpeModel(vocab, table, false, -1, false), BpeTokenizer.Style.BYTE_LEVEL, false, bos, eos, addBos, eog(dir, vocab, eos));
    }

    // ---------------------------------------------------------------- shared helpers

    /** tokenizer_config.json's bos_token / eos_token: a string, {"content": ...}, or null. */
    private static int idOfConfigToken(JsonNode config, String key, Vocabulary vocab) {
        if (config == null) return -1;
        JsonNode t = config.path(key);
        String text = t.isTextual() ? t.asText() : t.path("content").isTextual() ? t.get("content").asText() : null;
        return text == null ? -1 : vocab.id(text);
    }

    private static int idFromGenerationConfig(Path dir, String key) {
        for (String f : List.of("generation_config.json", "config.json")) {
            JsonNode c = readOptional(dir.resolve(f));
            if (c == null) continue;
            JsonNode v = c.path(key);
            if (v.isArray() && !v.isEmpty()) v = v.get(0);
            if (v.canConvertToInt()) return v.asInt();
        }
        return -1;
    }

    /** EOS, every id in generation_config.json's eos_token_id, and the vocabulary's turn terminators. */
    private static Set<Integer> eog(Path dir, Vocabulary vocab, int eos) {
        Set<Integer> out = new HashSet<>();
        if (eos >= 0) out.add(eos);
        JsonNode gen = readOptional(dir.resolve("generation_config.json"));
        if (gen != null) {
            JsonNode v = gen.path("eos_token_id");
            if (v.canConvertToInt()) out.add(v.asInt());
            for (JsonNode x : v) if (x.canConvertToInt()) out.add(x.asInt());
        }
        for (String t : GgufTokenizerLoader.EOG_TEXTS) {
            int id = vocab.id(t);
            if (id >= 0 && vocab.type(id) == TokenType.CONTROL) out.add(id);
        }
        return out;
    }

    private static Pattern regex(Path file, String regex, String where) {
        try {
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw bad(file, where, "regex does not compile in Java: " + e.getDescription());
        }
    }

    static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
                    ? j.getOriginalMessage() + " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")"
                    : e.getMessage();
            throw new ModelFileException(file, "cannot read JSON: " + why, e);
        }
    }

    static JsonNode readOptional(Path file) {
        return Files.exists(file) ? read(file) : null;
    }

    /** node's child named by the last segment of the dotted path (the path is for the message). */
    private static JsonNode field(Path file, JsonNode node, String path) {
        JsonNode v = node.get(path.substring(path.lastIndexOf('.') + 1));
        if (v == null || v.isNull()) throw bad(file, path, "is missing");
        return v;
    }

    private static ModelFileException bad(Path file, String field, String what) {
        return new ModelFileException(file, "field '" + field + "' " + what);
    }
}
