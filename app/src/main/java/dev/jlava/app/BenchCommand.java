package dev.jlava.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlava.llm.Decoder;
import dev.jlava.llm.DecoderCheckpoint;
import dev.jlava.llm.DecoderConfig;
import dev.jlava.llm.KvCache;
import dev.jlava.llm.ModelShapes;
import dev.jlava.llm.RandomDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * llama-bench-like measurement: prompt processing (pp: one forward pass over p tokens) and text
 * generation (tg: n single-token steps), best of several repetitions.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt (ppN) and generation (tgN) tokens/s, like llama-bench.")
final class BenchCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--shape", description = "random weights of a real shape generated in memory: ${COMPLETION-CANDIDATES}",
                completionCandidates = ShapeNames.class)
        String shape;

        @Option(names = "--model", description = "a .gguf file or Hugging Face folder")
        Path model;
    }

    static final class ShapeNames extends ArrayList<String> {
        ShapeNames() { super(ModelShapes.names()); }
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--dtype", defaultValue = "f32", description = "weight dtype for --shape: f32 (default)")
    String dtype;

    @Option(names = "--threads", description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = "-p", defaultValue = "512", description = "prompt tokens (0 = skip the pp test)")
    int prompt;

    @Option(names = "-n", defaultValue = "64", description = "generated tokens (0 = skip the tg test)")
    int gen;

    @Option(names = "--reps", defaultValue = "3", description = "repetitions; the best is reported")
    int reps;

    @Option(names = "--json", description = "print a JSON array, one object per test")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (prompt < 0 || gen < 0 || reps < 1) throw new UserError("-p and -n must be >= 0 and --reps >= 1");
        Runtime.threads(threads);
        DecoderCheckpoint ck = null;
        Decoder dec;
        String label;
        if (source.shape != null) {
            if (!dtype.equals("f32")) throw new UserError("--dtype " + dtype + " is not available for random models yet (accepted: f32)");
            DecoderConfig c = ModelShapes.byName(source.shape);
            System.err.println("generating random " + source.shape + " weights in memory...");
            dec = RandomDecoder.create(c, 42);
            label = source.shape + " " + dtype;
        } else {
            ck = DecoderCheckpoint.open(source.model);
            dec = ck.decoder();
            label = source.model.getFileName().toString();
        }
        try {
            List<ObjectNode> rows = new ArrayList<>();
            ObjectMapper m = new ObjectMapper();
            SplittableRandom rnd = new SplittableRandom(1);
            int vocab = dec.config().vocab();
            if (prompt > 0) {
                int[] ids = rnd.ints(prompt, 0, vocab).toArray();
                int[] pos = iota(prompt);
                double best = Double.MAX_VALUE;
                for (int r = 0; r < reps + 1; r++) { // first run warms the JIT
                    long t0 = System.nanoTime();
                    dec.forward(ids, pos, dec.newCache(), Decoder.Options.LAST_LOGITS);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r > 0) best = Math.min(best, s);
                }
                rows.add(row(m, label, "pp" + prompt, prompt / best, best));
            }
            if (gen > 0) {
                double best = Double.MAX_VALUE;
                for (int r = 0; r < reps + 1; r++) {
                    KvCache cache = dec.newCache();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < gen; i++) dec.forward(new int[] {rnd.nextInt(vocab)}, new int[] {i}, cache, Decoder.Options.LAST_LOGITS);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r > 0) best = Math.min(best, s);
                }
                rows.add(row(m, label, "tg" + gen, gen / best, best));
            }
            if (json) {
                ArrayNode a = m.createArrayNode();
                rows.forEach(a::add);
                System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(a));
            } else {
                System.out.printf("| %-28s | %7s | %8s | %12s |%n", "model", "threads", "test", "t/s");
                System.out.printf("| %-28s | %7s | %8s | %12s |%n", "-".repeat(28), "------:", "-------:", "-----------:");
                for (ObjectNode r : rows) {
                    System.out.printf("| %-28s | %7d | %8s | %12.2f |%n", r.get("model").asText(), r.get("threads").asInt(),
                            r.get("test").asText(), r.get("tokens_per_second").asDouble());
                }
            }
        } finally {
            if (ck != null) ck.close();
        }
        return 0;
    }

    private ObjectNode row(ObjectMapper m, String label, String test, double tps, double seconds) {
        ObjectNode o = m.createObjectNode();
        o.put("model", label);
        o.put("threads", Runtime.threads());
        o.put("test", test);
        o.put("tokens_per_second", tps);
        o.put("seconds", seconds);
        o.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return o;
    }

    static int[] iota(int n) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        return p;
    }
}
