package dev.jlava.reduce.st3;

import dev.jlava.reduce.CacheReducer;
import dev.jlava.reduce.CacheState;
import dev.jlava.reduce.PlanSyntaxException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * ST³'s VTA, Visual Token Annealing (st3.md §4): while decoding, each layer's visual KV budget
 * shrinks as tokens are generated. Only "fewer visual tokens per layer as generation grows" is
 * from the paper; the schedule and eviction rule are the spec's interpretation [P]:
 *
 * <p>B_l(t) = floor(N_min + (N_l − N_min)·s(min(t, T)/T)), N_min = ceil(γ·N_l), with N_l the
 * layer's visual entries after prefill, T the horizon, γ the floor and s the shape (COSINE:
 * ½(1 + cos πx)). When the cache holds more than B_l(t) visual entries, evict the lowest-scoring
 * ones (score: the current token's head-mean attention probability, or its sum over steps under
 * ACCUMULATED); on equal scores the later position goes first.
 */
public final class VisualTokenAnnealing implements CacheReducer {
    public enum Shape { COSINE, LINEAR, EXPONENTIAL, STEP }

    public enum ScoreMode { CURRENT_STEP, ACCUMULATED }

    /**
     * @param floor   γ, the share of N_l kept after the horizon, in [0, 1]
     * @param horizon T, generated tokens until the floor is reached, ≥ 1
     * @param every   evaluate every k-th step only
     */
    public record Config(double floor, int horizon, Shape shape, ScoreMode scoreMode, int every) {
        public static final Config DEFAULTS = new Config(0.25, 128, Shape.COSINE, ScoreMode.CURRENT_STEP, 1);

        public Config {
            if (!(floor >= 0 && floor <= 1)) throw new PlanSyntaxException("vta floor=" + floor + ": must be in [0, 1]");
            if (horizon < 1) throw new PlanSyntaxException("vta horizon=" + horizon + ": must be >= 1");
            if (every < 1) throw new PlanSyntaxException("vta every=" + every + ": must be >= 1");
        }
    }

    private final Config config;
    private final Map<Integer, Map<Integer, Double>> accumulated = new HashMap<>();

    public VisualTokenAnnealing(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** B_l(t) for a layer that held {@code n} visual entries after prefill. */
    public int budget(int n, int step) {
        int nMin = (int) Math.ceil(config.floor() * n);
        double x = Math.min(step, config.horizon()) / (double) config.horizon();
        double s = switch (config.shape()) {
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * x));
            case LINEAR -> 1 - x;
            // normalised so that s(0) = 1 and s(1) = 0, rate 5
            case EXPONENTIAL -> (Math.exp(-5 * x) - Math.exp(-5)) / (1 - Math.exp(-5));
            case STEP -> x < 1 ? 1 : 0;
        };
        return Math.min(n, (int) Math.floor(nMin + (n - nMin) * s));
    }

    @Override
    public boolean needsScores(int layer, int step, int visualAfterPrefill, int visualNow) {
        if (config.scoreMode() == ScoreMode.ACCUMULATED) return true;
        return step % config.every() == 0 && budget(visualAfterPrefill, step) < visualNow;
    }

    @Override
    public int[] evict(CacheState s) {
        int[] e = s.entries();
        double[] score = new double[e.length];
        if (config.scoreMode() == ScoreMode.ACCUMULATED) {
            Map<Integer, Double> acc = accumulated.computeIfAbsent(s.layer(), k -> new HashMap<>());
            for (int i = 0; i < e.length; i++) score[i] = acc.merge(e[i], (double) s.scores()[i], Double::sum);
        } else if (s.scores() != null) {
            for (int i = 0; i < e.length; i++) score[i] = s.scores()[i];
        }
        if (s.step() % config.every() != 0) return new int[0];
        int b = budget(s.visualAfterPrefill(), s.step());
        if (e.length <= b) return new int[0];
        if (s.scores() == null) throw new IllegalStateException("vta must evict " + (e.length - b) + " entries in layer " + s.layer() + " but got no scores");
        int[] out = lowest(score, e, e.length - b);
        if (config.scoreMode() == ScoreMode.ACCUMULATED) {
            Map<Integer, Double> acc = accumulated.get(s.layer());
            for (int i : out) acc.remove(e[i]);
        }
        return out;
    }

    /**
     * Indices of the n lowest scores, among equal scores the later position first, in increasing
     * index order. Runs every layer and decode step over thousands of entries, so it sorts
     * primitive keys (score rank, then position, then index, 21 bits each) instead of boxed
     * indices with a comparator, which took ~0.4 ms per layer at 6,000 entries.
     */
    static int[] lowest(double[] score, int[] pos, int n) {
        int m = score.length;
        int[] out = new int[n];
        if (n == 0) return out;
        int maxPos = 0;
        for (int p : pos) maxPos = Math.max(maxPos, p);
        if (m >= 1 << 21 || maxPos >= 1 << 21 || Arrays.stream(pos).anyMatch(p -> p < 0)) return lowestBoxed(score, pos, n);
        double[] sorted = score.clone();
        Arrays.sort(sorted); // Double.compare's order, as the comparator below
        long[] key = new long[m];
        for (int i = 0; i < m; i++) {
            long rank = firstAtLeast(sorted, score[i]);
            key[i] = rank << 42 | (long) ((1 << 21) - 1 - pos[i]) << 21 | i;
        }
        Arrays.sort(key);
        for (int j = 0; j < n; j++) out[j] = (int) (key[j] & ((1 << 21) - 1));
        Arrays.sort(out);
        return out;
    }

    /** The first index of sorted whose value is not below x (Double.compare order). */
    private static int firstAtLeast(double[] sorted, double x) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Double.compare(sorted[mid], x) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** {@link #lowest} by a comparator over boxed indices, for sizes past the keys' 21 bits. */
    static int[] lowestBoxed(double[] score, int[] pos, int n) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        // lowest score first; among equal scores the later position first
        Arrays.sort(order, (a, c) -> {
            int cmp = Double.compare(score[a], score[c]);
            return cmp != 0 ? cmp : Integer.compare(pos[c], pos[a]);
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = order[i];
        Arrays.sort(out);
        return out;
    }

    @Override
    public void reset() {
        accumulated.clear();
    }

    @Override
    public void validate(int numLayers) {
        // acts in every layer; nothing layer-specific to check
    }

    @Override
    public String describe() {
        Config c = config;
        return "vta(floor=" + c.floor() + ",horizon=" + c.horizon()
                + (c.shape() != Shape.COSINE ? ",shape=" + c.shape().name().toLowerCase() : "")
                + (c.scoreMode() != ScoreMode.CURRENT_STEP ? ",score=accumulated" : "")
                + (c.every() != 1 ? ",every=" + c.every() : "") + ")";
    }
}
