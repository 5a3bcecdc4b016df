package dev.jlava.llava;

import dev.jlava.vision.AttentionScore;
import dev.jlava.vision.VisionOutput;
import dev.jlava.vision.VisionRequest;
import dev.jlava.vision.image.RgbImage;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reuses one video's vision-tower output across requests (several questions, or several
 * reduction methods compared on the same frames): on a CPU the tower is the most expensive stage.
 * Holds the output of the last frames it saw, computed with every signal a reducer may ask for;
 * the measured tower time travels with it so reports stay honest about what the tower costs.
 */
public final class VisionCache {
    public record Entry(VisionOutput output, long nanos) {}

    private LlavaModel model;
    private List<RgbImage> frames;
    private boolean allTokens;
    private Entry entry;

    /** The request widened to all signals the tower offers, so one pass serves every method. */
    static VisionRequest superset(VisionRequest r, boolean hasCls) {
        return new VisionRequest(hasCls ? AttentionScore.CLS_HEAD_SUM : AttentionScore.RECEIVED_MEAN, true, r.allTokens());
    }

    synchronized Entry get(LlavaModel m, List<RgbImage> fr, VisionRequest req, Supplier<VisionOutput> compute) {
        if (entry == null || model != m || frames != fr || allTokens != req.allTokens()) {
            long t0 = System.nanoTime();
            VisionOutput out = compute.get();
            entry = new Entry(out, System.nanoTime() - t0);
            model = m;
            frames = fr;
            allTokens = req.allTokens();
        }
        return entry;
    }
}
