package dev.jlava.app;

import dev.jlava.llava.LlavaModel;
import dev.jlava.llava.LlavaPipeline;
import dev.jlava.llava.RandomLlava;
import dev.jlava.llava.VisionCache;
import dev.jlava.llm.Sampler;
import dev.jlava.reduce.ReductionPlan;
import dev.jlava.reduce.ReductionPlanParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main job with nothing to download: a short clip shipped in the jar and a LLaVA-OneVision
 * model of a small real-like shape with deterministic random weights, through every stage; then
 * the reduction methods side by side. With --model/--video/--prompt it answers with a real checkpoint.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole video QA path on an embedded clip with a random-weight LLaVA-OneVision model and compare the reduction methods "
                + "(or, with --model DIR --video F --prompt TEXT, answer with a real checkpoint).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--model", description = "a real llava-hf checkpoint folder instead of the random demo model")
    Path model;

    @Option(names = "--video", description = "a video instead of the embedded clip")
    Path video;

    @Option(names = "--prompt", defaultValue = "What happens in this video?", description = "the question (default: ${DEFAULT-VALUE})")
    String prompt;

    @Option(names = "--frames", defaultValue = "16", description = "frames to sample (default ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--compare", defaultValue = "true", negatable = true, description = "compare the reduction methods in one table (default on)")
    boolean compare;

    @Option(names = "--out", defaultValue = "jlava-demo", description = "folder for the report and token map (default ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    QaOptions qa;

    /** The methods compared, as plans for a model with {@code layers} decoder layers. */
    static Map<String, String> methods(int layers) {
        int k = Math.max(1, layers * 3 / 4);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("none", "none");
        m.put("holitom", "holitom(r=0.15,tau=0.8,k=" + k + ",mr=0.5)");
        m.put("st3", "st3");
        m.put("fastv", "fastv(K=2,R=0.5)");
        m.put("visionzip", "visionzip(dominant=54,contextual=10)");
        m.put("holitom+vta", "holitom(r=0.15,tau=0.8)+vta(floor=0.25,horizon=128)");
        return m;
    }

    @Override
    public Integer call() throws Exception {
        Runtime.threads(qa.threads);
        PrintStream o = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        boolean real = model != null;
        Path clip = video;
        Path tmpClip = null;
        if (clip == null) {
            tmpClip = Files.createTempFile("jlava-demo", ".mp4");
            try (InputStream in = DemoCommand.class.getResourceAsStream("demo-scenes.mp4")) {
                if (in == null) throw new IllegalStateException("the embedded demo clip is missing from the jar");
                Files.copy(in, tmpClip, StandardCopyOption.REPLACE_EXISTING);
            }
            clip = tmpClip;
        }
        long t0 = System.nanoTime();
        try (LlavaModel m = real ? LlavaModel.open(model) : RandomLlava.create(RandomLlava.shape("demo"), 42)) {
            if (real) {
                o.println("model: " + model);
            } else {
                var s = RandomLlava.shape("demo");
                o.printf("model: random-weight LLaVA-OneVision (SigLIP %d x %d layers, Qwen2 %d x %d layers), generated in memory in %.1f s%n",
                        s.vision().hidden(), s.vision().layers(), s.text().hidden(), s.text().layers(), (System.nanoTime() - t0) / 1e9);
                o.println("note: the weights are random, so the answer text is meaningless; frames, visual tokens, FLOPs, KV bytes and timings are real.");
            }
            MediaInput in = MediaInput.video(clip, frames);
            o.printf("video: %s, %d frames, sampled %d at %s%n", video == null ? "embedded 4-scene clip (320x240, 8 fps)" : video,
                    in.totalFrames(), in.frames().size(), java.util.Arrays.toString(in.indices()));
            Files.createDirectories(out);
            VisionCache cache = new VisionCache();
            Sampler greedy = Sampler.greedy();
            List<RunReport> rows = new ArrayList<>();
            Map<String, String> methods = compare ? methods(m.decoder().config().layers()) : Map.of(qa.reduce, qa.reduce);
            for (var e : methods.entrySet()) {
                ReductionPlan plan = ReductionPlanParser.parse(e.getValue());
                o.println();
                o.println("== " + e.getKey() + ": " + plan.describe());
                o.print("answer: ");
                RunReport r = runOne(m, in, plan, greedy, cache, o);
                rows.add(r);
                String file = e.getKey().replace('+', '_');
                Files2.writeString(out.resolve("report-" + file + ".json"), RunReport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.toJson()));
                if (r.result().tokens() != null && plan.outer().isPresent()) {
                    TokenMap.write(out.resolve("token-map-" + file + ".png"), in.frames(), in.indices(), r.result().tokens(), r.summaryTitle());
                }
            }
            o.println();
            printTable(o, rows);
            o.printf("%nreports and token maps written to %s/ (total %.1f s)%n", out, (System.nanoTime() - t0) / 1e9);
        } finally {
            if (tmpClip != null) Files.deleteIfExists(tmpClip);
        }
        return 0;
    }

    private RunReport runOne(LlavaModel m, MediaInput in, ReductionPlan plan, Sampler sampler, VisionCache cache, PrintStream o) throws IOException {
        var sd = m.tokenizer().newStreamDecoder(true);
        LlavaPipeline.Request req = new LlavaPipeline.Request(in.frames(), in.indices(), true, prompt, plan, qa.maxTokens, sampler,
                !qa.ignoreEos, qa.poolingMode(), qa.newlineMode(), id -> o.print(printable(sd.push(id))), ConsoleProgress.create(), cache);
        LlavaPipeline.Result res = LlavaPipeline.run(m, req);
        o.println(printable(sd.flush()));
        RunReport r = RunReport.of("demo", plan, m, in, res);
        o.println(r.summary());
        return r;
    }

    /** Random weights produce arbitrary bytes; show control characters as '?' to keep the terminal sane. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) && c != '\n' ? '?' : c));
        return b.toString();
    }

    static void printTable(PrintStream o, List<RunReport> rows) {
        o.printf("| %-12s | %13s | %14s | %10s | %9s | %14s |%n", "method", "visual tokens", "prefill FLOPs", "KV bytes", "TTFT (s)", "decode tok/s");
        o.printf("|%s|%s|%s|%s|%s|%s|%n", "-".repeat(14), "-".repeat(15), "-".repeat(16), "-".repeat(12), "-".repeat(11), "-".repeat(16));
        for (RunReport r : rows) {
            String name = r.method().equals("none") ? "none" : r.method().length() > 12 ? shortName(r.method()) : r.method();
            o.printf("| %-12s | %13s | %13.1f%% | %9.1f%% | %9.2f | %14.1f |%n", name, r.result().visualNone() + " -> " + r.visualOut(),
                    r.prefillFlopsPercent(), r.kvPercent(), r.times().timeToFirstToken() / 1e9, r.result().decodeTokensPerSecond());
        }
    }

    static String shortName(String describe) {
        return describe.replaceAll("\\([^)]*\\)", "");
    }
}
