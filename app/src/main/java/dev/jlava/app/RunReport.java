package dev.jlava.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlava.cost.RunCosts;
import dev.jlava.cost.VisionFlops;
import dev.jlava.llava.LlavaModel;
import dev.jlava.llava.LlavaPipeline;
import dev.jlava.llava.StageTimes;
import dev.jlava.reduce.ReductionPlan;
import dev.jlava.reduce.TemporalWindow;
import java.util.List;

/**
 * The cost accounting of one request: visual tokens, FLOPs (the papers' formula and the exact
 * count, against no reduction), KV-cache bytes per layer and per step, wall time per stage.
 */
record RunReport(String model, String method, MediaInput media, LlavaPipeline.Result result, RunCosts costs,
                 double visionFlops, double projectorFlops) {
    static final ObjectMapper JSON = new ObjectMapper();

    static RunReport of(String model, ReductionPlan plan, LlavaModel m, MediaInput media, LlavaPipeline.Result r) {
        int text = r.promptIds().length - r.visualCount();
        RunCosts costs = new RunCosts(m.decoder().config(), r.rowsPerLayer(), text + r.visualNone(),
                r.kvBytesPerStep().get(r.kvBytesPerStep().size() - 1), r.generated().length);
        int images = media.video() ? media.frames().size() : r.visualIn() > m.vision().config().featureTokens() ? 1 + r.visualIn() / m.vision().config().featureTokens() : 1;
        double vf = VisionFlops.towerPerImage(m.vision().config()) * images;
        double pf = VisionFlops.projector(m.vision().config(), images * m.vision().config().featureTokens(), m.decoder().config().hidden());
        return new RunReport(model, plan.describe(), media, r, costs, vf, pf);
    }

    StageTimes times() {
        return result.times().withVideoDecode(media.decodeNanos());
    }

    double prefillFlopsPercent() {
        return 100 * costs.prefillFlopsExact() / costs.prefillFlopsExactNone();
    }

    /** The same share by the papers' hand formula (holitom.md section 13), as their FLOPs figures are computed. */
    double prefillFlopsPaperPercent() {
        return 100 * costs.prefillFlopsPaper() / costs.prefillFlopsPaperNone();
    }

    double kvPercent() {
        return 100.0 * costs.kvBytesEnd() / costs.kvBytesNone();
    }

    int visualOut() {
        return result.visualCount();
    }

    /** One line: frames, tokens in/out, FLOPs % and KV % against no reduction, TTFT by stage, decode speed. */
    String summary() {
        StageTimes t = times();
        return String.format("[%s] %s %d, visual tokens %d -> %d, prefill FLOPs %.1f%% / KV %.1f%% of none, "
                        + "TTFT %.2f s (%s %.2f, vision %.2f, reduce %.2f, prefill %.2f), decode %.1f tokens/s",
                method, media.video() ? "frames" : "images", media.video() ? media.frames().size() : 1, result.visualNone(), visualOut(),
                prefillFlopsPercent(), kvPercent(), t.timeToFirstToken() / 1e9, media.video() ? "video" : "load", t.videoDecode() / 1e9,
                (t.preprocess() + t.visionTower() + t.projector()) / 1e9, t.reduction() / 1e9, t.prefill() / 1e9,
                result.decodeTokensPerSecond());
    }

    /** A short title for pictures: method, tokens in and out. */
    String summaryTitle() {
        return String.format("%s: %d -> %d visual tokens, prefill FLOPs %.1f%% of none", method, result.visualNone(), visualOut(), prefillFlopsPercent());
    }

    ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model);
        o.put("method", method);
        ObjectNode fr = o.putObject("frames");
        fr.put("video", media.video());
        fr.put("count", media.frames().size());
        fr.putPOJO("indices", media.indices());
        if (media.video()) fr.put("total_frames", media.totalFrames());
        ObjectNode vt = o.putObject("visual_tokens");
        vt.put("in", result.visualIn());
        vt.put("none", result.visualNone());
        vt.put("out", visualOut());
        int text = result.promptIds().length - result.visualCount();
        ArrayNode perLayer = vt.putArray("per_layer");
        for (int n : result.rowsPerLayer()) perLayer.add(n - text);
        o.putPOJO("tokens_per_layer", result.rowsPerLayer());
        o.put("prompt_tokens", result.promptIds().length);
        ObjectNode f = o.putObject("flops");
        f.put("prefill_exact", costs.prefillFlopsExact());
        f.put("prefill_exact_none", costs.prefillFlopsExactNone());
        f.put("prefill_paper_formula", costs.prefillFlopsPaper());
        f.put("prefill_paper_formula_none", costs.prefillFlopsPaperNone());
        f.put("prefill_percent_of_none", prefillFlopsPercent());
        f.put("prefill_paper_formula_percent_of_none", prefillFlopsPaperPercent());
        f.put("vision_tower", visionFlops);
        f.put("projector", projectorFlops);
        ObjectNode kv = o.putObject("kv_cache");
        kv.putPOJO("bytes_per_layer_after_prefill", result.kvBytesAfterPrefillPerLayer());
        kv.putPOJO("bytes_per_layer_end", result.kvBytesPerLayer());
        kv.putPOJO("bytes_after_each_step", result.kvBytesPerStep());
        kv.put("bytes_end", costs.kvBytesEnd());
        kv.put("bytes_end_none", costs.kvBytesNone());
        kv.put("percent_of_none", kvPercent());
        StageTimes t = times();
        ObjectNode ts = o.putObject("timings_seconds");
        ts.put("video_decode", t.videoDecode() / 1e9);
        ts.put("preprocess", t.preprocess() / 1e9);
        ts.put("vision_tower", t.visionTower() / 1e9);
        ts.put("projector_pooling", t.projector() / 1e9);
        ts.put("reduction", t.reduction() / 1e9);
        ts.put("prefill", t.prefill() / 1e9);
        ts.put("decode", t.decode() / 1e9);
        ts.put("time_to_first_token", t.timeToFirstToken() / 1e9);
        o.put("prefill_tokens_per_second", result.promptIds().length / (t.prefill() / 1e9));
        o.put("decode_tokens_per_second", result.decodeTokensPerSecond());
        ArrayNode seg = o.putArray("segments");
        if (result.tokens() != null) {
            List<TemporalWindow> ws = result.tokens().segments();
            for (TemporalWindow w : ws) seg.addArray().add(w.start()).add(w.end());
        }
        o.putPOJO("generated_ids", result.generated());
        o.put("text", result.text());
        return o;
    }
}
