package dev.jlava.app;

import dev.jlava.llava.LlavaModel;
import dev.jlava.llava.RandomLlava;
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

    @Option(names = "--no-compare", description = "run only the --reduce plan instead of comparing the methods side by side")
    boolean noCompare;

    @Option(names = "--out", defaultValue = "jlava-demo", description = "folder for the report and token map (default ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    QaOptions qa;

    @Override
    public Integer call() throws Exception {
        Runtime.threads(qa.threads);
        Runtime.mmap(qa.mmap);
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
        try (LlavaModel m = Runtime.warmLoad(true, () -> real ? LlavaModel.open(model) : RandomLlava.create(RandomLlava.shape("demo"), 42))) {
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
            Map<String, String> methods = !noCompare ? MethodComparison.defaultMethods(m.decoder().config().layers())
                    : MethodComparison.parseList(qa.reduce);
            List<RunReport> rows = MethodComparison.run(m, in, prompt, methods, qa, Sampler.greedy(), !qa.ignoreEos, o,
                    new MethodComparison.Listener() {
                        @Override public void before(String label, ReductionPlan plan) {
                            o.println();
                            o.println("== " + label + ": " + plan.describe());
                            o.print("answer: ");
                        }

                        @Override public void after(String label, RunReport r) {
                            o.println(r.summary());
                            String file = label.replaceAll("[^A-Za-z0-9_.-]", "_");
                            try {
                                Files2.writeString(out.resolve("report-" + file + ".json"), RunReport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.toJson()));
                                if (r.result().tokens() != null && r.visualOut() != r.result().visualNone()) {
                                    TokenMap.write(out.resolve("token-map-" + file + ".png"), in.frames(), in.indices(), r.result().tokens(), r.summaryTitle());
                                }
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    });
            o.println();
            MethodComparison.printTable(o, rows);
            o.printf("%nreports and token maps written to %s/ (total %.1f s)%n", out, (System.nanoTime() - t0) / 1e9);
        } finally {
            if (tmpClip != null) Files.deleteIfExists(tmpClip);
        }
        return 0;
    }

}
