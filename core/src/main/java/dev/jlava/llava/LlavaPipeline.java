package dev.jlava.llava;

import dev.jlava.llm.Decoder;
import dev.jlava.llm.Generation;
import dev.jlava.llm.KvCache;
import dev.jlava.reduce.DecoderStages;
import dev.jlava.reduce.NewlineMode;
import dev.jlava.reduce.ReductionPlan;
import dev.jlava.reduce.SpatialPooling;
import dev.jlava.reduce.VisionSignal;
import dev.jlava.reduce.VisionSignals;
import dev.jlava.reduce.VisualContext;
import dev.jlava.reduce.VisualReducer;
import dev.jlava.reduce.VisualTokens;
import dev.jlava.tokenizer.ChatMessage;
import dev.jlava.vision.AttentionScore;
import dev.jlava.vision.VisionConfig;
import dev.jlava.vision.VisionOutput;
import dev.jlava.vision.VisionRequest;
import dev.jlava.vision.image.AnyResImage;
import dev.jlava.vision.image.RgbImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * One question about a video or an image, end to end: preprocessing, vision tower, projector,
 * pooling, the outer reduction stage, prompt assembly with the chat template, prefill with the
 * in-decoder stages, and decoding with the cache stage. Every stage is timed and the tokens per
 * layer and KV-cache bytes per step are recorded for the cost report.
 */
public final class LlavaPipeline {
    private LlavaPipeline() {}

    /**
     * @param frames       the sampled frames (video) or the single image
     * @param frameIndices source frame index of each frame (for provenance and reports)
     * @param video        whether the frames are a video (OneVision video path) or one image
     * @param pooling      OneVision video pooling: bilinear (OneVision) or average (LLaVA-Video style)
     * @param newlineMode  OneVision video newline layout
     */
    public record Request(List<RgbImage> frames, int[] frameIndices, boolean video, String question, ReductionPlan plan,
                          int maxTokens, dev.jlava.llm.Sampler sampler, boolean stopAtEos,
                          SpatialPooling.Mode pooling, NewlineMode newlineMode, IntConsumer onToken, Progress progress,
                          VisionCache visionCache) {
        public Request(List<RgbImage> frames, int[] frameIndices, boolean video, String question, ReductionPlan plan,
                       int maxTokens, dev.jlava.llm.Sampler sampler, boolean stopAtEos,
                       SpatialPooling.Mode pooling, NewlineMode newlineMode, IntConsumer onToken, Progress progress) {
            this(frames, frameIndices, video, question, plan, maxTokens, sampler, stopAtEos, pooling, newlineMode, onToken, progress, null);
        }

        public Request {
            if (frames.isEmpty()) throw new IllegalArgumentException("no frames to look at");
            if (!video && frames.size() != 1) throw new IllegalArgumentException("an image request takes exactly one image");
            if (question == null || question.isBlank()) throw new IllegalArgumentException("the question is empty");
            if (progress == null) progress = Progress.NONE;
        }
    }

    /**
     * @param promptIds       the prompt with the placeholder expanded to one id per visual row
     * @param visualStart     index of the first visual row in the prompt
     * @param visualEmbeddings the visual rows spliced into the prompt, [visualCount][hidden]
     * @param visualIn        visual tokens before the outer stage (after pooling), newlines excluded
     * @param visualNone      visual rows the same request would splice in without any reduction (newlines included)
     * @param tokens          the visual rows that entered the decoder, with provenance (null for anyres images)
     * @param rowsPerLayer    rows each decoder layer processed in prefill
     * @param kvBytesPerStep  total KV-cache bytes after prefill (index 0) and after each decode step
     * @param kvBytesPerLayer KV bytes per layer at the end
     */
    public record Result(int[] promptIds, int visualStart, int visualCount, int visualIn, int visualNone, float[] visualEmbeddings, VisualTokens tokens,
                         int[] generated, String text, float[] firstLogits, StageTimes times, int[] rowsPerLayer,
                         long[] kvBytesAfterPrefillPerLayer, List<Long> kvBytesPerStep, long[] kvBytesPerLayer,
                         int decodeSteps) {
        public double decodeTokensPerSecond() {
            return decodeSteps == 0 ? 0 : decodeSteps / (times.decode() / 1e9);
        }
    }

    public static Result run(LlavaModel m, Request r) {
        ReductionPlan plan = r.plan() == null ? ReductionPlan.NONE : r.plan();
        Decoder dec = m.decoder();
        plan.validate(dec.config().layers());
        VisionConfig vc = m.vision().config();
        VisualReducer outer = plan.outerOrNone();
        boolean ov = m.isOneVision();
        long t0 = System.nanoTime();

        // 1. pixels
        List<float[][][]> pixels = new ArrayList<>();
        AnyResImage anyRes = null;
        if (r.video()) {
            for (RgbImage f : r.frames()) pixels.add(m.videoProcessor().pixelValues(f));
        } else if (ov && m.imageProcessor().config().anyRes()) {
            if (plan.outer().isPresent()) {
                throw new IllegalArgumentException("outer reduction (" + outer.describe() + ") applies to videos and LLaVA-1.5 images, not to the OneVision anyres image path");
            }
            anyRes = m.imageProcessor().anyRes(r.frames().get(0));
            pixels.addAll(anyRes.pixelValues());
        } else {
            pixels.add(m.imageProcessor().pixelValues(r.frames().get(0)));
        }
        long t1 = System.nanoTime();

        // 2. vision tower (in small batches, for progress and bounded memory)
        Set<VisionSignal> signals = outer.signals();
        boolean beforeProjector = outer.beforeProjector(vc.hasCls());
        AttentionScore score = !signals.contains(VisionSignal.TOKEN_SCORES) ? AttentionScore.NONE
                : vc.hasCls() ? AttentionScore.CLS_HEAD_SUM : AttentionScore.RECEIVED_MEAN;
        VisionRequest vreq = new VisionRequest(score, signals.contains(VisionSignal.KEY_METRIC), beforeProjector);
        VisionOutput vout;
        long towerNanos;
        if (r.visionCache() != null) {
            VisionCache.Entry e = r.visionCache().get(m, r.frames(), vreq, () -> encode(m, pixels, VisionCache.superset(vreq, vc.hasCls()), r.progress()));
            vout = e.output();
            towerNanos = e.nanos();
        } else {
            long s0 = System.nanoTime();
            vout = encode(m, pixels, vreq, r.progress());
            towerNanos = System.nanoTime() - s0;
        }
        long t2 = t1 + towerNanos;

        // 3. projector (+ pooling for OneVision video), then 4. the outer stage
        long t2real = System.nanoTime();
        int d = dec.config().hidden();
        float[] visualRows;
        boolean[] newline;
        VisualTokens tokens = null;
        int visualIn;
        int visualNone;
        long t3, t4;
        if (anyRes != null) {
            float[] proj = m.vision().project(vout);
            t3 = System.nanoTime();
            List<float[]> rows = packAnyRes(m, anyRes, proj, vc.grid(), d);
            visualRows = new float[rows.size() * d];
            newline = new boolean[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, visualRows, i * d, d);
                newline[i] = rows.get(i) == m.imageNewline();
            }
            visualIn = rows.size();
            visualNone = rows.size();
            t4 = System.nanoTime();
        } else if (beforeProjector) {
            // VisionZip on CLIP: reduce the feature layer's rows (CLS included), then project the survivors
            int tk = vout.tokens(), dv = vout.dim();
            float[] f = vout.frameFeatures(0);
            float[] cls = Arrays.copyOfRange(f, 0, dv);
            float[][] patches = new float[tk - 1][];
            for (int i = 1; i < tk; i++) patches[i - 1] = Arrays.copyOfRange(f, i * dv, (i + 1) * dv);
            VisualTokens in = VisualTokens.ofImageWithCls(cls, patches, vc.grid());
            visualIn = tk - 1;
            visualNone = tk - 1;
            t3 = System.nanoTime();
            VisualTokens reduced = outer.reduce(in, new VisualContext(signalsOf(vout, 1, vc.grid(), null), null, NewlineMode.NO_TOKEN));
            float[] projected = m.vision().projector().forward(reduced.toFlat(), reduced.size());
            tokens = reduced.withRows(projected);
            visualRows = projected;
            newline = new boolean[reduced.size()];
            t4 = System.nanoTime();
        } else {
            float[] proj = m.vision().project(vout);
            int frames = vout.frames(), tk = vout.tokens(), g = vc.grid();
            float[][][] perFrame = new float[frames][tk][];
            for (int fr = 0; fr < frames; fr++) {
                for (int i = 0; i < tk; i++) perFrame[fr][i] = Arrays.copyOfRange(proj, (fr * tk + i) * d, (fr * tk + i + 1) * d);
            }
            int grid = g;
            SpatialPooling.Mode pool = r.pooling() == null ? SpatialPooling.Mode.BILINEAR : r.pooling();
            if (r.video() && ov) {
                perFrame = SpatialPooling.poolFrames(perFrame, g, pool);
                grid = SpatialPooling.outputSide(g, pool);
            }
            VisualTokens in = VisualTokens.ofFrames(perFrame, grid);
            visualIn = in.size();
            t3 = System.nanoTime();
            NewlineMode nl = r.video() && ov ? (r.newlineMode() == null ? NewlineMode.ONE_TOKEN : r.newlineMode()) : NewlineMode.NO_TOKEN;
            VisionSignals sig = signalsOf(vout, frames, g, r.video() && ov ? pool : null);
            tokens = outer.reduce(in, new VisualContext(sig, ov ? m.imageNewline() : null, nl));
            visualNone = visualIn + switch (nl) {
                case ONE_TOKEN -> 1;
                case GRID -> frames * grid;
                case NO_TOKEN -> 0;
            };
            visualRows = tokens.toFlat();
            newline = new boolean[tokens.size()];
            for (int i = 0; i < newline.length; i++) newline[i] = tokens.isNewline(i);
            t4 = System.nanoTime();
        }
        int visualCount = newline.length;

        // 5. prompt: the chat template with one placeholder, expanded to one id per visual row
        int placeholder = r.video() ? m.config().videoTokenId() : m.config().imageTokenId();
        if (placeholder < 0) {
            throw new IllegalArgumentException(m.config().file() + ": this " + m.config().family() + " model has no "
                    + (r.video() ? "video" : "image") + " placeholder token" + (r.video() ? " (LLaVA-1.5 answers about images: use --image)" : ""));
        }
        String rendered = m.chatTemplate().render(List.of(ChatMessage.of("user",
                r.video() ? ChatMessage.Part.video() : ChatMessage.Part.image(), ChatMessage.Part.text(r.question()))), true);
        int[] ids0 = m.tokenizer().encodeChat(rendered);
        int at = -1;
        for (int i = 0; i < ids0.length; i++) {
            if (ids0[i] == placeholder) {
                if (at >= 0) throw new IllegalArgumentException("the question itself contains the placeholder token " + m.tokenizer().tokenText(placeholder));
                at = i;
            }
        }
        if (at < 0) throw new IllegalStateException("the chat template did not write the " + m.tokenizer().tokenText(placeholder) + " placeholder");
        int[] ids = new int[ids0.length - 1 + visualCount];
        System.arraycopy(ids0, 0, ids, 0, at);
        Arrays.fill(ids, at, at + visualCount, placeholder);
        System.arraycopy(ids0, at + 1, ids, at + visualCount, ids0.length - at - 1);
        int ctx = dec.config().contextLength();
        if (ids.length + r.maxTokens() > ctx) {
            throw new IllegalArgumentException("prompt of " + ids.length + " tokens (" + visualCount + " visual) + " + r.maxTokens()
                    + " new tokens exceeds the model's context of " + ctx + " tokens; use fewer frames or a reduction method");
        }
        float[] x = dec.embed(ids);
        System.arraycopy(visualRows, 0, x, at * d, visualCount * d);
        int[] pos = new int[ids.length];
        Arrays.setAll(pos, i -> i);
        int[] vpos = new int[visualCount];
        for (int i = 0; i < visualCount; i++) vpos[i] = at + i;

        // 6. prefill with the in-decoder stages, 7. decode with the cache stage
        DecoderStages stages = new DecoderStages(plan, dec.config().layers(), vpos, newline);
        List<Long> kvPerStep = new ArrayList<>();
        long[][] kvAfterPrefill = new long[1][];
        Generation.DecodeHook account = new Generation.DecodeHook() {
            @Override public Decoder.Options optionsForStep(int step) { return Decoder.Options.LAST_LOGITS; }

            @Override public void afterStep(int step, KvCache cache) {
                kvPerStep.add(cache.bytes());
                if (step == 0) kvAfterPrefill[0] = cache.bytesPerLayer();
            }
        };
        r.progress().update("prefill", 0, ids.length);
        Set<Integer> stops = r.stopAtEos() ? m.tokenizer().endOfGenerationIds() : Set.of();
        Generation.Output out = Generation.run(dec, x, ids.length, pos, Decoder.Options.LAST_LOGITS.withHook(stages.prefillHook()),
                new Generation.Settings(r.maxTokens(), r.sampler(), stops, stages.decodeHook(account)), r.onToken());
        StageTimes times = new StageTimes(0, t1 - t0, t2 - t1, t3 - t2real, t4 - t3, out.prefillNanos(), out.decodeNanos());
        String text = m.tokenizer().decode(out.generated(), true);
        return new Result(ids, at, visualCount, visualIn, visualNone, visualRows, tokens, out.generated(), text, out.firstLogits(), times,
                stages.rowsPerLayer(), kvAfterPrefill[0], kvPerStep, out.cache().bytesPerLayer(), out.decodeSteps());
    }

    /** Runs the tower over all images in batches of a few frames. */
    private static VisionOutput encode(LlavaModel m, List<float[][][]> pixels, VisionRequest req, Progress progress) {
        int n = pixels.size();
        int batch = 4;
        List<VisionOutput> parts = new ArrayList<>();
        for (int s = 0; s < n; s += batch) {
            int e = Math.min(n, s + batch);
            parts.add(m.vision().tower().forward(flatten(pixels.subList(s, e)), e - s, req));
            progress.update("vision tower", e, n);
        }
        if (parts.size() == 1) return parts.get(0);
        VisionOutput p0 = parts.get(0);
        float[] feats = concat(parts.stream().map(VisionOutput::features).toList());
        float[] score = p0.attentionScore() == null ? null : concat(parts.stream().map(VisionOutput::attentionScore).toList());
        float[] key = p0.keyMetric() == null ? null : concat(parts.stream().map(VisionOutput::keyMetric).toList());
        return new VisionOutput(feats, n, p0.tokens(), p0.dim(), score, p0.scoreLength(), key, p0.keyTokens(), p0.keyDim());
    }

    private static float[] concat(List<float[]> parts) {
        int len = 0;
        for (float[] p : parts) len += p.length;
        float[] out = new float[len];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    private static float[] flatten(List<float[][][]> images) {
        float[][][] first = images.get(0);
        int c = first.length, h = first[0].length, w = first[0][0].length;
        float[] out = new float[images.size() * c * h * w];
        int o = 0;
        for (float[][][] img : images) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(img[ch][y], 0, out, o, w);
                    o += w;
                }
            }
        }
        return out;
    }

    /** The tower's extra outputs on the token grid the reducer sees (pooled like the features for OneVision video). */
    private static VisionSignals signalsOf(VisionOutput v, int frames, int g, SpatialPooling.Mode pool) {
        float[][] scores = null;
        float[][][] keys = null;
        if (v.attentionScore() != null) {
            scores = new float[frames][];
            for (int f = 0; f < frames; f++) scores[f] = v.frameScore(f);
            if (pool != null) scores = SpatialPooling.poolScores(scores, g, pool);
        }
        if (v.keyMetric() != null) {
            keys = new float[frames][v.keyTokens()][];
            for (int f = 0; f < frames; f++) {
                float[] k = v.frameKeyMetric(f);
                for (int i = 0; i < v.keyTokens(); i++) keys[f][i] = Arrays.copyOfRange(k, i * v.keyDim(), (i + 1) * v.keyDim());
            }
            if (pool != null) keys = SpatialPooling.poolFrames(keys, g, pool);
        }
        return new VisionSignals(scores, keys);
    }

    /**
     * OneVision anyres image: the base crop's tokens, then the grid crops as one map, unpadded,
     * shrunk if over anyres_max_N, with an image_newline after every row (pack_image_features).
     */
    private static List<float[]> packAnyRes(LlavaModel m, AnyResImage a, float[] proj, int side, int d) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < side * side; i++) rows.add(Arrays.copyOfRange(proj, i * d, (i + 1) * d));
        float[][][] map = FeatureMaps.tile(proj, 1, a.gridRows(), a.gridCols(), side, d);
        map = FeatureMaps.unpad(map, a.originalHeight(), a.originalWidth());
        String ar = m.config().visionAspectRatio();
        if (ar.startsWith("anyres_max_")) {
            int maxPatches = Integer.parseInt(ar.substring("anyres_max_".length()));
            int h = map.length, w = map[0].length;
            double ratio = Math.sqrt((double) h * w / (maxPatches * (double) side * side));
            if (ratio > 1.1) map = FeatureMaps.bilinear(map, (int) Math.floor(h / ratio), (int) Math.floor(w / ratio));
        }
        float[] nl = m.imageNewline();
        for (float[][] row : map) {
            rows.addAll(Arrays.asList(row));
            rows.add(nl);
        }
        return rows;
    }
}
