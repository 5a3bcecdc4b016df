package dev.jlava.app;

import dev.jlava.llava.LlavaModel;
import dev.jlava.llava.LlavaPipeline;
import dev.jlava.llava.Progress;
import dev.jlava.reduce.ReductionPlan;
import dev.jlava.reduce.ReductionPlanParser;
import dev.jlava.tokenizer.StreamDecoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Video or image question answering with a LLaVA checkpoint. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Answer a question about a video or an image with a LLaVA-OneVision or LLaVA-1.5 checkpoint (Hugging Face folder).")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a llava-hf checkpoint folder (config.json, *.safetensors, tokenizer.json, preprocessor_config.json)")
    Path model;

    static final class Media {
        @Option(names = "--video", description = "a video file (any container/codec FFmpeg decodes)")
        Path video;

        @Option(names = "--image", description = "an image file (PNG, JPEG, ...)")
        Path image;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Media media;

    @Option(names = "--prompt", required = true, description = "the question")
    String prompt;

    @Option(names = "--frames", defaultValue = "32", description = "frames sampled uniformly from the video (default ${DEFAULT-VALUE})")
    int frames;

    @Mixin
    QaOptions qa;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--json", description = "print one JSON object at the end instead of streaming text")
    boolean json;

    @Option(names = "--dump-last-logits", paramLabel = "OUT", description = "write the logits that choose the first generated token (little-endian float32 [vocab])")
    Path dumpLastLogits;

    @Option(names = "--report", paramLabel = "OUT.json", description = "write the cost report: tokens per layer, FLOPs, KV bytes, time per stage, segments")
    Path report;

    @Option(names = "--token-map", paramLabel = "OUT.png", description = "draw the sampled frames with the visual tokens that survived the outer stage, merged tokens shaded by cluster, temporal segments marked")
    Path tokenMap;

    @Override
    public Integer call() throws IOException {
        Runtime.threads(qa.threads);
        Runtime.mmap(qa.mmap);
        ReductionPlan plan = ReductionPlanParser.parse(qa.reduce);
        var sampler = sampling.sampler();
        if (qa.maxTokens < 1) throw new UserError("--max-tokens must be >= 1, got " + qa.maxTokens);
        for (Path out : new Path[] {dumpLastLogits, report, tokenMap}) if (out != null) Files2.checkWritable(out);
        try (LlavaModel m = Runtime.warmLoad(true, () -> LlavaModel.open(model))) {
            plan.validate(m.decoder().config().layers());
            MediaInput in = media.video != null ? MediaInput.video(media.video, frames) : MediaInput.image(media.image);
            RunReport r = answer(model.toString(), m, in, prompt, plan, sampler, json, ConsoleProgress.create());
            if (dumpLastLogits != null) Files2.writeFloatsLE(dumpLastLogits, r.result().firstLogits(), r.result().firstLogits().length);
            if (report != null) Files2.writeString(report, RunReport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.toJson()));
            if (tokenMap != null) {
                if (r.result().tokens() == null) throw new UserError("--token-map: the OneVision anyres image path has no per-frame token grid to draw");
                TokenMap.write(tokenMap, in.frames(), in.indices(), r.result().tokens(), r.summaryTitle());
            }
        }
        return 0;
    }

    /** Runs one request, streaming the answer (unless json), then the summary line or the JSON object. */
    RunReport answer(String label, LlavaModel m, MediaInput in, String question, ReductionPlan plan,
                     dev.jlava.llm.Sampler sampler, boolean asJson, Progress progress) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        StreamDecoder sd = m.tokenizer().newStreamDecoder(true);
        LlavaPipeline.Request req = new LlavaPipeline.Request(in.frames(), in.indices(), in.video(), question, plan, qa.maxTokens,
                sampler, !qa.ignoreEos, qa.poolingMode(), qa.newlineMode(), id -> { if (!asJson) out.print(sd.push(id)); }, progress);
        LlavaPipeline.Result res = LlavaPipeline.run(m, req);
        RunReport r = RunReport.of(label, plan, m, in, res);
        if (asJson) {
            out.println(RunReport.JSON.writeValueAsString(r.toJson()));
        } else {
            out.println(sd.flush());
            out.println(r.summary());
        }
        return r;
    }
}
