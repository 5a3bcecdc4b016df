package dev.jlava.reduce.st3;

import dev.jlava.reduce.LayerDecision;
import dev.jlava.reduce.LayerReducer;
import dev.jlava.reduce.LayerState;
import dev.jlava.reduce.PlanSyntaxException;
import dev.jlava.reduce.TopK;
import dev.jlava.reduce.fastv.FastV;
import java.util.Arrays;

/**
 * ST³'s PVTP, Progressive Visual Token Pruning (st3.md §3), as our parameterised reading: the paper
 * text was not available, so everything but "prune inattentive visual tokens progressively as
 * layers deepen, with a stride S and a ratio R" is the spec's interpretation [P].
 *
 * <ul>
 *   <li>Pruning events before layers k0, k0+S, k0+2S, … (S = {@link #NO_STRIDE} for one event).</li>
 *   <li>Kept count per event: GEOMETRIC max(minKeep, round((1−R)·current)) (default) or LINEAR
 *       max(minKeep, current − round(R·N_v)); or an explicit list of counts (or fractions of
 *       N_v), one per event, after which no further event happens.</li>
 *   <li>Score [P, "QK heredity" read as PREV_LAYER_QK, LAST_PROMPT_TOKEN, MEAN]: the last prompt
 *       token's attention row of layer p−1, head mean: exactly what the decoder hook supplies. The
 *       spec's other score knobs (current-layer QK, all text queries, head max) would need the
 *       decoder to supply other attention rows and are not implemented.</li>
 *   <li>Ties: lower position kept. Positions KEEP_ORIGINAL (the decoder keeps position ids). Pruned
 *       tokens never return. Newline rows are not scored and always kept (as FastV).</li>
 * </ul>
 * With one event (S = NO_STRIDE), k0 = K and R, this is FastV(K, R) (st3.md acceptance test 2).
 */
public final class ProgressiveVisualTokenPruning implements LayerReducer {
    /** Stride meaning "a single pruning event at k0". */
    public static final int NO_STRIDE = Integer.MAX_VALUE;

    public enum RatioMode { GEOMETRIC, LINEAR }

    /**
     * @param keepSchedule null, or per event the visual tokens kept: values ≥ 1 are counts, values
     *                     in (0, 1) fractions of N_v (the prompt's visual tokens)
     */
    public record Config(int k0, int stride, double ratio, int minKeep, RatioMode mode, double[] keepSchedule) {
        /** st3.md's proposed defaults for 32-layer LLaVA-1.5-7B. */
        public static final Config DEFAULTS = new Config(2, 2, 0.2, 1, RatioMode.GEOMETRIC, null);

        public Config {
            if (k0 < 1) throw new PlanSyntaxException("pvtp k0=" + k0 + ": the first pruning layer must be >= 1");
            if (stride < 1) throw new PlanSyntaxException("pvtp stride=" + stride + ": must be >= 1 (or inf for one event)");
            if (!(ratio >= 0 && ratio < 1)) throw new PlanSyntaxException("pvtp ratio=" + ratio + ": must be in [0, 1)");
            if (minKeep < 0) throw new PlanSyntaxException("pvtp minkeep=" + minKeep + ": must be >= 0");
            if (keepSchedule != null) {
                keepSchedule = keepSchedule.clone();
                if (keepSchedule.length == 0) throw new PlanSyntaxException("pvtp keep=: the list is empty");
                for (double v : keepSchedule) {
                    if (!(v > 0) || (v >= 1 && v != Math.rint(v))) {
                        throw new PlanSyntaxException("pvtp keep=" + v + ": each entry must be a count >= 1 or a fraction in (0, 1)");
                    }
                }
            }
        }
    }

    private final Config config;

    public ProgressiveVisualTokenPruning(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** The event number (0-based) of a pruning before {@code layer}, or −1. */
    public int eventAt(int layer) {
        if (layer < config.k0()) return -1;
        long off = (long) layer - config.k0();
        if (off % config.stride() != 0) return -1;
        long e = off / config.stride();
        if (config.keepSchedule() != null && e >= config.keepSchedule().length) return -1;
        return (int) e;
    }

    @Override
    public boolean actsBefore(int layer) {
        return eventAt(layer) >= 0;
    }

    /** Visual tokens kept at event {@code event} when {@code current} are present and the prompt had {@code nv}. */
    public int keepCount(int event, int current, int nv) {
        int target;
        if (config.keepSchedule() != null) {
            double v = config.keepSchedule()[event];
            target = v >= 1 ? (int) v : (int) TopK.roundHalfEven(v * nv);
        } else if (config.mode() == RatioMode.GEOMETRIC) {
            target = (int) TopK.roundHalfEven((1 - config.ratio()) * current);
        } else {
            target = current - (int) TopK.roundHalfEven(config.ratio() * nv);
        }
        return Math.min(current, Math.max(Math.min(config.minKeep(), current), target));
    }

    /** Visual tokens present in each layer's input, for a prompt with {@code nv} (the schedule of §3.2). */
    public int[] schedule(int nv, int numLayers) {
        int[] out = new int[numLayers];
        int cur = nv;
        for (int l = 0; l < numLayers; l++) {
            int e = eventAt(l);
            if (e >= 0) cur = keepCount(e, cur, nv);
            out[l] = cur;
        }
        return out;
    }

    @Override
    public LayerDecision decide(LayerState s) {
        int current = s.gridSlots().length;
        int keep = keepCount(eventAt(s.layer()), current, s.originalVisualCount());
        if (keep >= current) return LayerDecision.keepAll(s.sequenceLength());
        return FastV.keepTop(s, keep, "pvtp");
    }

    @Override
    public void validate(int numLayers) {
        if (config.k0() >= numLayers) {
            throw new PlanSyntaxException("pvtp k0=" + config.k0() + " but the model has " + numLayers + " decoder layers (k0 must be 1.." + (numLayers - 1) + ")");
        }
        if (config.keepSchedule() != null) {
            long last = config.k0() + (long) (config.keepSchedule().length - 1) * (config.stride() == NO_STRIDE ? 0 : config.stride());
            if (config.keepSchedule().length > 1 && config.stride() == NO_STRIDE) {
                throw new PlanSyntaxException("pvtp keep= lists " + config.keepSchedule().length + " events but stride=inf allows one");
            }
            if (last >= numLayers) {
                throw new PlanSyntaxException("pvtp keep= lists " + config.keepSchedule().length + " events; the last would be before layer " + last
                        + " but the model has " + numLayers + " decoder layers");
            }
        }
    }

    @Override
    public String describe() {
        Config c = config;
        return "pvtp(k0=" + c.k0() + ",stride=" + (c.stride() == NO_STRIDE ? "inf" : c.stride())
                + (c.keepSchedule() == null ? ",ratio=" + c.ratio() : ",keep=" + String.join("/", Arrays.stream(c.keepSchedule()).mapToObj(ProgressiveVisualTokenPruning::num).toList()))
                + (c.minKeep() != 1 ? ",minkeep=" + c.minKeep() : "") + (c.mode() != RatioMode.GEOMETRIC ? ",mode=linear" : "") + ")";
    }

    static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
