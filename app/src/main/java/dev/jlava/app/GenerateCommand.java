package dev.jlava.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlava.llm.Decoder;
import dev.jlava.llm.DecoderConfig;
import dev.jlava.llm.Generation;
import dev.jlava.tokenizer.StreamDecoder;
import dev.jlava.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Text generation with a decoder-only model, streaming the text. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt with a Qwen2 or LLaMA model (GGUF file or Hugging Face folder).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a .gguf file or a Hugging Face folder")
    Path model;

    static final class PromptSource {
        @Option(names = "--prompt", description = "the prompt text")
        String text;

        @Option(names = "--prompt-file", description = "a file holding the prompt (UTF-8, used byte for byte)")
        Path file;

        @Option(names = "--prompt-ids", split = ",", description = "the prompt as token ids, e.g. 1,2,3")
        int[] ids;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptSource prompt;

    @Option(names = "--max-tokens", defaultValue = "128", description = "tokens to generate at most (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--threads", description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = "--mmap", negatable = true, description = "--mmap reads F32/F16/BF16 weights in place from the file mapping (smaller footprint, slower decode on some machines); --no-mmap, the default, copies them into memory at load")
    Boolean mmap;

    @Option(names = "--raw", description = "use the prompt as is (special tokens parsed, BOS as the model says) instead of the chat template")
    boolean raw;

    @Option(names = "--ignore-eos", description = "do not stop at end-of-generation tokens")
    boolean ignoreEos;

    @Option(names = "--dump-logits", paramLabel = "OUT", description = "write the logits of every prompt position as little-endian float32 [n_prompt x vocab]")
    Path dumpLogits;

    @Option(names = "--json", description = "print one JSON object at the end instead of streaming text")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (maxTokens < 0) throw new UserError("--max-tokens must be >= 0, got " + maxTokens);
        Runtime.threads(threads);
        Runtime.mmap(mmap);
        var sampler = sampling.sampler();
        if (dumpLogits != null) Files2.checkWritable(dumpLogits);
        try (TextModel m = Runtime.warmLoad(false, () -> TextModel.open(model, prompt.ids == null))) {
            Tokenizer tok = m.tokenizer();
            Decoder dec = m.checkpoint().decoder();
            DecoderConfig c = dec.config();
            int[] ids = promptIds(tok, m.checkpoint());
            if (ids.length == 0) throw new UserError("the prompt is empty (no tokens)");
            for (int id : ids) {
                if (id < 0 || id >= c.vocab()) throw new UserError("--prompt-ids: id " + id + " is outside the vocabulary (0.." + (c.vocab() - 1) + ")");
            }
            if (ids.length + maxTokens > c.contextLength()) {
                throw new UserError("prompt of " + ids.length + " tokens + " + maxTokens + " new tokens exceeds the model's context of " + c.contextLength() + " tokens");
            }
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            // A checkpoint without tokenizer files can still run --prompt-ids: the ids are printed instead of text.
            StreamDecoder sd = tok == null ? null : tok.newStreamDecoder();
            Set<Integer> stops = ignoreEos || tok == null ? Set.of() : tok.endOfGenerationIds();
            Decoder.Options opt = dumpLogits != null ? Decoder.Options.ALL_LOGITS : Decoder.Options.LAST_LOGITS;
            long t0 = System.nanoTime();
            float[][] promptLogits = new float[1][];
            Generation.Output g = Generation.run(dec, ids, opt, new Generation.Settings(maxTokens, sampler, stops, Generation.DecodeHook.NONE),
                    id -> { if (!json) out.print(sd == null ? id + " " : sd.push(id)); });
            if (!json) {
                if (sd != null) out.print(sd.flush());
                out.println();
            }
            if (dumpLogits != null) {
                // Re-run the prompt for all rows (the generation pass kept only the last row's logits to save memory).
                Decoder.Result r = dec.forward(ids, iota(ids.length), dec.newCache(), Decoder.Options.ALL_LOGITS);
                Files2.writeFloatsLE(dumpLogits, r.logits(), r.rows() * c.vocab());
            }
            double total = (System.nanoTime() - t0) / 1e9;
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode o = mapper.createObjectNode();
                o.putPOJO("prompt_ids", ids);
                o.putPOJO("generated_ids", g.generated());
                if (tok != null) o.put("text", tok.decode(g.generated()));
                ObjectNode t = o.putObject("timings");
                t.put("prompt_tokens", ids.length);
                t.put("prefill_seconds", g.prefillNanos() / 1e9);
                t.put("time_to_first_token_seconds", g.prefillNanos() / 1e9);
                t.put("prefill_tokens_per_second", g.prefillTokensPerSecond());
                t.put("decode_steps", g.decodeSteps());
                t.put("decode_seconds", g.decodeNanos() / 1e9);
                t.put("decode_tokens_per_second", g.decodeTokensPerSecond());
                t.put("total_seconds", total);
                out.println(mapper.writeValueAsString(o));
            } else {
                System.err.printf("prompt %d tokens, %.1f tokens/s; generated %d tokens, %.1f tokens/s%n",
                        ids.length, g.prefillTokensPerSecond(), g.generated().length, g.decodeTokensPerSecond());
            }
        }
        return 0;
    }

    private int[] promptIds(Tokenizer tok, dev.jlava.llm.DecoderCheckpoint checkpoint) throws IOException {
        if (prompt.ids != null) return prompt.ids;
        String text = prompt.text;
        if (prompt.file != null) {
            if (!Files.isRegularFile(prompt.file)) throw new UserError(prompt.file + ": no such file");
            text = Files.readString(prompt.file, StandardCharsets.UTF_8);
        }
        if (raw) return tok.encode(text);
        return tok.encodeChat(ChatPrompt.format(ChatPrompt.templateOf(checkpoint), text));
    }

    static int[] iota(int n) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        return p;
    }
}
