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
import dev.jlava.cost.VisionFlops;
import dev.jlava.kernel.FmaPeak;
import dev.jlava.tensor.DType;
import dev.jlava.llava.LlavaModel;
import dev.jlava.llava.RandomLlava;
import dev.jlava.tensor.RandomTensors;
import dev.jlava.vision.VisionConfig;
import dev.jlava.vision.VisionTower;
import java.util.Map;
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
 * generation (tg: n single-token steps), reported as llama-bench reports them: the mean and
 * standard deviation of tokens/s over the timed repetitions, after one untimed warm-up run. The
 * vision mode reports the best repetition, as a share of the FMA peak measured right after.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure speed, like llama-bench. Three modes:",
                "  LLM: --shape qwen2-0.5b|qwen2-7b|vicuna-7b or --model FILE/DIR: prompt (ppN) and generation (tgN) tokens/s",
                "  vision: --shape siglip-so400m|clip-vit-l-336: frames/s and GFLOP/s of the tower",
                "  end to end: --shape llava-ov-0.5b|demo or --model LLAVA_DIR, with --video F: the reduction methods side by side + --plot"})
final class BenchCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--shape", description = "random weights of a real shape generated in memory: ${COMPLETION-CANDIDATES}",
                completionCandidates = ShapeNames.class)
        String shape;

        @Option(names = "--model", description = "a .gguf file or Hugging Face folder (a LLaVA folder with --video)")
        Path model;
    }

    static final class ShapeNames extends ArrayList<String> {
        ShapeNames() {
            super(ModelShapes.names());
            addAll(List.of("siglip-so400m", "clip-vit-l-336"));
            addAll(RandomLlava.shapeNames());
        }
    }

    @Option(names = "--video", description = "end-to-end mode: the video to ask about")
    Path video;

    @Option(names = "--frames", description = "frames: sampled from --video (default 32) or encoded in vision mode (default 2)")
    Integer frames;

    @Option(names = "--reduce", defaultValue = "default", description = "end-to-end mode: methods separated by commas (default: none,holitom,st3,fastv,visionzip,holitom+vta)")
    String reduce;

    @Option(names = "--plot", paramLabel = "OUT.png", description = "end-to-end mode: TTFT and FLOPs against the retained share of visual tokens")
    Path plot;

    @Option(names = "--prompt", defaultValue = "What happens in this video?", description = "end-to-end mode: the question")
    String question;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--dtype", defaultValue = "f32", description = "weight dtype for --shape: f32 (default), f16, bf16, q8_0, q4_0")
    String dtype;

    @Option(names = "--threads", description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = "--mmap", negatable = true, description = "--mmap reads F32/F16/BF16 weights in place from the file mapping (llama-bench -mmp 1); --no-mmap, the default, copies them into memory at load (-mmp 0)")
    Boolean mmap;

    @Option(names = "-p", defaultValue = "512", description = "prompt tokens (0 = skip the pp test)")
    int prompt;

    @Option(names = "-n", defaultValue = "64", description = "generated tokens (0 = skip the tg test)")
    int gen;

    @Option(names = {"-d", "--depth"}, defaultValue = "0", description = "tokens already in the KV cache when the tg test starts (prefilled once, untimed): decode speed at a video's context length, e.g. -d 6320")
    int depth;

    @Option(names = "--reps", defaultValue = "3", description = "timed repetitions after one warm-up run; the mean and standard deviation of tokens/s are reported, as llama-bench does")
    int reps;

    @Option(names = "--json", description = "print a JSON array, one object per test")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (prompt < 0 || gen < 0 || depth < 0 || reps < 1) throw new UserError("-p, -n and -d must be >= 0 and --reps >= 1");
        Runtime.threads(threads);
        Runtime.mmap(mmap);
        if (plot != null) Files2.checkWritable(plot);
        if (source.shape != null && (source.shape.equals("siglip-so400m") || source.shape.equals("clip-vit-l-336"))) return vision();
        if (video != null || (source.shape != null && RandomLlava.shapeNames().contains(source.shape))) return endToEnd();
        DecoderCheckpoint ck = null;
        Decoder dec;
        String label;
        if (source.shape != null) {
            DType dt = switch (dtype.toLowerCase()) {
                case "f32" -> DType.F32; case "f16" -> DType.F16; case "bf16" -> DType.BF16; case "q8_0" -> DType.Q8_0; case "q4_0" -> DType.Q4_0;
                default -> throw new UserError("--dtype '" + dtype + "' is not one of: f32, f16, bf16, q8_0, q4_0");
            };
            DecoderConfig c = ModelShapes.byName(source.shape);
            System.err.println("generating random " + source.shape + " " + dtype + " weights in memory...");
            dec = RandomDecoder.create(c, 42, dt);
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
                double[] secs = new double[reps];
                for (int r = 0; r < reps + 1; r++) { // first run warms the JIT
                    long t0 = System.nanoTime();
                    dec.forward(ids, pos, dec.newCache(), Decoder.Options.LAST_LOGITS);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r > 0) secs[r - 1] = s;
                }
                rows.add(row(m, label, "pp" + prompt, prompt, secs));
            }
            if (gen > 0) {
                if (depth + gen > dec.config().contextLength())
                    throw new UserError("-d " + depth + " plus -n " + gen + " exceeds the model's context of " + dec.config().contextLength() + " tokens");
                KvCache context = dec.newCache();
                if (depth > 0) dec.forward(rnd.ints(depth, 0, vocab).toArray(), iota(depth), context, Decoder.Options.LAST_LOGITS);
                double[] secs = new double[reps];
                for (int r = 0; r < reps + 1; r++) {
                    KvCache cache = depth > 0 ? context.copy() : dec.newCache();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < gen; i++) dec.forward(new int[] {rnd.nextInt(vocab)}, new int[] {depth + i}, cache, Decoder.Options.LAST_LOGITS);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r > 0) secs[r - 1] = s;
                }
                rows.add(row(m, label, depth > 0 ? "tg" + gen + " @ d" + depth : "tg" + gen, gen, secs));
            }
            if (json) {
                ArrayNode a = m.createArrayNode();
                rows.forEach(a::add);
                System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(a));
            } else {
                System.out.printf("| %-28s | %7s | %8s | %20s |%n", "model", "threads", "test", "t/s");
                System.out.printf("| %-28s | %7s | %8s | %20s |%n", "-".repeat(28), "------:", "-------:", "-------------------:");
                for (ObjectNode r : rows) {
                    System.out.printf("| %-28s | %7d | %8s | %20s |%n", r.get("model").asText(), r.get("threads").asInt(),
                            r.get("test").asText(), String.format(java.util.Locale.ROOT, "%.2f ± %.2f",
                                    r.get("tokens_per_second").asDouble(), r.get("tokens_per_second_sd").asDouble()));
                }
            }
        } finally {
            if (ck != null) ck.close();
        }
        return 0;
    }

    /** Vision mode: frames through a random tower of a real shape; frames/s and GFLOP/s. */
    private int vision() throws Exception {
        VisionConfig vc = RandomLlava.visionShape(source.shape);
        int f = frames == null ? 2 : frames;
        if (f < 1) throw new UserError("--frames must be >= 1");
        System.err.println("generating random " + source.shape + " weights in memory...");
        VisionTower tower = RandomLlava.randomTower(vc, 7);
        float[] pixels = new RandomTensors(3).values(f * 3 * vc.imageSize() * vc.imageSize(), 0.5f, 0f);
        double best = Double.MAX_VALUE;
        for (int r = 0; r < reps + 1; r++) {
            long t0 = System.nanoTime();
            tower.forward(pixels, f);
            double s = (System.nanoTime() - t0) / 1e9;
            if (r > 0) best = Math.min(best, s);
        }
        double gflop = VisionFlops.towerPerImage(vc) * f / 1e9;
        // The FMA ceiling right after, on as many threads: the machine's speed drifts, so the share is what compares.
        double peak = FmaPeak.measure(Runtime.threads(), 3, 20_000_000L);
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = row(m, source.shape + " f32", "vision" + f, f / best, best);
        o.put("seconds_per_frame", best / f);
        o.put("gflop_per_frame", gflop / f);
        o.put("gflops_per_second", gflop / best);
        o.put("fma_peak_gflops_per_second", peak);
        o.put("percent_of_fma_peak", 100 * gflop / best / peak);
        if (json) {
            System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(m.createArrayNode().add(o)));
        } else {
            System.out.printf("| %-22s | %7s | %8s | %10s | %12s | %10s | %14s |%n", "model", "threads", "frames", "s/frame", "GFLOP/frame", "GFLOP/s", "of FMA peak");
            System.out.printf("| %-22s | %7d | %8d | %10.2f | %12.1f | %10.1f | %5.0f%% of %4.0f |%n", source.shape, Runtime.threads(), f, best / f, gflop / f,
                    gflop / best, 100 * gflop / best / peak, peak);
        }
        return 0;
    }

    /** End-to-end mode: the reduction methods side by side on one video, sharing the vision tower's output. */
    private int endToEnd() throws Exception {
        if (video == null) throw new UserError("end-to-end mode needs --video F");
        int f = frames == null ? 32 : frames;
        QaOptions qa = new QaOptions();
        qa.maxTokens = gen;
        qa.pooling = "bilinear";
        qa.newline = "one_token";
        try (LlavaModel m = Runtime.warmLoad(true, () -> source.shape != null ? randomLlava(source.shape) : LlavaModel.open(source.model))) {
            MediaInput in = MediaInput.video(video, f);
            Map<String, String> methods = reduce.equals("default") ? MethodComparison.defaultMethods(m.decoder().config().layers())
                    : MethodComparison.parseList(reduce);
            List<RunReport> rows = MethodComparison.run(m, in, question, methods, qa, dev.jlava.llm.Sampler.greedy(), false, null,
                    new MethodComparison.Listener() {
                        @Override public void before(String label, dev.jlava.reduce.ReductionPlan plan) {
                            System.err.println("running " + label + ": " + plan.describe());
                        }

                        @Override public void after(String label, RunReport r) {
                            System.err.println("  " + r.summary());
                        }
                    });
            String label = source.shape != null ? source.shape : source.model.getFileName().toString();
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ArrayNode a = mapper.createArrayNode();
                rows.forEach(r -> a.add(r.toJson()));
                System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(a));
            } else {
                System.out.printf("%s, %d frames of %s, %d generated tokens, %d threads (vision tower computed once: %.2f s, counted in every TTFT)%n",
                        label, in.frames().size(), video.getFileName(), gen, Runtime.threads(), rows.get(0).times().visionTower() / 1e9);
                MethodComparison.printTable(System.out, rows);
            }
            if (plot != null) MethodPlot.write(plot, rows, label);
        }
        return 0;
    }

    private static LlavaModel randomLlava(String shape) {
        System.err.println("generating random " + shape + " weights in memory...");
        return RandomLlava.create(RandomLlava.shape(shape), 42);
    }

    /** One LLM test: tokens/s per repetition, their mean and sample standard deviation (llama-bench's avg_ts and stddev_ts), and the best. */
    private ObjectNode row(ObjectMapper m, String label, String test, int tokens, double[] secs) {
        double[] tps = Arrays.stream(secs).map(s -> tokens / s).toArray();
        double mean = Arrays.stream(tps).average().orElseThrow();
        double sd = tps.length < 2 ? 0 : Math.sqrt(Arrays.stream(tps).map(t -> (t - mean) * (t - mean)).sum() / (tps.length - 1));
        ObjectNode o = row(m, label, test, mean, Arrays.stream(secs).average().orElseThrow());
        o.put("tokens_per_second_sd", sd);
        o.put("best_tokens_per_second", Arrays.stream(tps).max().orElseThrow());
        ArrayNode each = o.putArray("tokens_per_second_each");
        for (double t : tps) each.add(t);
        return o;
    }

    private ObjectNode row(ObjectMapper m, String label, String test, double tps, double seconds) {
        ObjectNode o = m.createObjectNode();
        o.put("model", label);
        o.put("threads", Runtime.threads());
        o.put("mmap", dev.jlava.kernel.WeightResidency.current() == dev.jlava.kernel.WeightResidency.MAPPED);
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
