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
     * Indices of the n lowest scores, among equal scores the later position first (then the lower
     * index), in increasing index order. Runs every layer and decode step over thousands of entries
     * to take a few dozen, so it keeps the n lowest seen in a max-heap (m log n) rather than sorting
     * all m: with two sorts it took ~0.5 ms per layer at 6,000 entries (docs/performance.md,
     * session 16).
     */
    static int[] lowest(double[] score, int[] pos, int n) {
        int m = score.length;
        int[] heap = new int[n];
        if (n == 0) return heap;
        long[] key = new long[m];
        for (int i = 0; i < m; i++) key[i] = ordered(score[i]);
        int size = 0;
        for (int i = 0; i < m; i++) {
            if (size < n) {
                siftUp(heap, size++, i, key, pos);
            } else if (before(i, heap[0], key, pos)) {
                siftDown(heap, n, i, key, pos);
            }
        }
        Arrays.sort(heap);
        return heap;
    }

    /** Puts x at leaf c (the heap's new last slot) and moves it up past the parents it ranks after. */
    private static void siftUp(int[] heap, int c, int x, long[] key, int[] pos) {
        while (c > 0 && before(heap[(c - 1) / 2], x, key, pos)) {
            heap[c] = heap[(c - 1) / 2];
            c = (c - 1) / 2;
        }
        heap[c] = x;
    }

    /** Puts x at the root of a full heap and moves it down to its place. */
    private static void siftDown(int[] heap, int n, int x, long[] key, int[] pos) {
        int c = 0;
        while (true) {
            int l = 2 * c + 1;
            if (l >= n) break;
            int r = l + 1, big = r < n && before(heap[l], heap[r], key, pos) ? r : l;
            if (!before(x, heap[big], key, pos)) break;
            heap[c] = heap[big];
            c = big;
        }
        heap[c] = x;
    }

    /** Whether entry a is evicted before entry b: lower score, then later position, then lower index. */
    private static boolean before(int a, int b, long[] key, int[] pos) {
        if (key[a] != key[b]) return key[a] < key[b];
        if (pos[a] != pos[b]) return pos[a] > pos[b];
        return a < b;
    }

    /** A long whose signed order is {@link Double#compare}'s order of x (-0.0 before 0.0, NaN last). */
    static long ordered(double x) {
        long bits = Double.doubleToLongBits(x);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
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
