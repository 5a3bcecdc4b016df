package dev.jlava.reduce.holitom;

import dev.jlava.reduce.TemporalWindow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * HoliTom's global temporal segmentation (spec §5, the official {@code select_static_windows}):
 * split the F frames into consecutive windows so that the number of tokens removable by
 * temporal merging is maximal, by dynamic programming.
 *
 * <p>A token position n is static in window [s, e] when its similarity stays above τ for every
 * consecutive pair in it: {@code sim[t][n] > (float) τ} for t = s..e−1 (strict, in float32).
 * Merging the window keeps one copy of each, so it removes P(s,e) = (e−s)·|S(s,e)| tokens.
 * dp[i] = max(dp[i−1], max over windows [j+1, i] of dp[j] + P(j+1, i)), with windows tried from
 * length 2 up to min(i+1, M) and a strict {@code >}: ties keep the one-frame window, then the
 * shortest window.
 */
public final class TemporalSegmenter {
    private TemporalSegmenter() {}

    /** The windows in time order; R = dp[F−1], the tokens removed by temporal merging. */
    public record Segmentation(List<TemporalWindow> windows, long totalReduced, long[] dp, int[] prev, long[][] prunedStaticCount) {}

    /**
     * @param sim [F−1][N] similarities of consecutive frames ({@link FrameSimilarity})
     * @param frames F (needed when F = 1 and {@code sim} is empty)
     * @param tau the static threshold τ
     * @param maxWindow M, the longest window allowed (the official default 1024 is no limit)
     */
    public static Segmentation segment(float[][] sim, int frames, double tau, int maxWindow) {
        if (sim.length != Math.max(0, frames - 1)) throw new IllegalArgumentException(sim.length + " similarity rows for " + frames + " frames");
        if (maxWindow < 1) throw new IllegalArgumentException("max window size " + maxWindow + " < 1");
        long[][] p = prunedStaticCount(sim, frames, (float) tau);
        long[] dp = new long[frames];
        int[] prev = new int[frames];
        for (int i = 0; i < frames; i++) {
            long best = i > 0 ? dp[i - 1] : 0;
            int start = i;
            for (int w = 2; w <= Math.min(i + 1, maxWindow); w++) {
                int j = i - w;
                long v = (j >= 0 ? dp[j] : 0) + p[j + 1][i];
                if (v > best) {
                    best = v;
                    start = j + 1;
                }
            }
            dp[i] = best;
            prev[i] = start;
        }
        List<TemporalWindow> windows = new ArrayList<>();
        for (int i = frames - 1; i >= 0; i = prev[i] - 1) windows.add(new TemporalWindow(prev[i], i));
        Collections.reverse(windows);
        return new Segmentation(List.copyOf(windows), frames == 0 ? 0 : dp[frames - 1], dp, prev, p);
    }

    /** P[s][e] = (e−s)·|S(s,e)| for s < e, else 0. */
    static long[][] prunedStaticCount(float[][] sim, int frames, float tau) {
        long[][] p = new long[frames][frames];
        int n = sim.length == 0 ? 0 : sim[0].length;
        boolean[] alive = new boolean[n];
        for (int s = 0; s < frames; s++) {
            java.util.Arrays.fill(alive, true);
            int count = n;
            for (int e = s + 1; e < frames; e++) {
                float[] row = sim[e - 1];
                for (int k = 0; k < n; k++) {
                    if (alive[k] && !(row[k] > tau)) {
                        alive[k] = false;
                        count--;
                    }
                }
                p[s][e] = (long) (e - s) * count;
            }
        }
        return p;
    }

    /** S(s,e) as a mask over the N positions; all false for a one-frame window. */
    public static boolean[] staticMask(float[][] sim, int n, double tau, TemporalWindow w) {
        boolean[] m = new boolean[n];
        if (w.length() < 2) return m;
        float t = (float) tau;
        java.util.Arrays.fill(m, true);
        for (int f = w.start(); f < w.end(); f++) {
            for (int k = 0; k < n; k++) if (!(sim[f][k] > t)) m[k] = false;
        }
        return m;
    }
}
