package dev.jlava.reduce.holitom;

import dev.jlava.reduce.TopK;

/**
 * HoliTom's token counts, evaluated in double exactly in the official order because ceil and
 * round can flip on the last bit (spec §6, §7, §9.1, §10; 100·0.07 = 7.000000000000001 → 8).
 * {@code round} is Python's: half to even.
 */
public final class TokenBudget {
    private TokenBudget() {}

    /** r' = min(r / ((F·N − R) / (F·N)), 1): the per-token ratio after temporal merging removed R of F·N tokens. */
    public static double rescaledRatio(double r, int frames, int tokensPerFrame, long totalReduced) {
        double total = (double) frames * tokensPerFrame;
        return Math.min(r / ((total - totalReduced) / total), 1.0);
    }

    /** Tokens a frame keeps of its L dynamic tokens: ceil(L·r'). */
    public static int dynamicKeep(int l, double ratio) {
        return (int) Math.ceil(l * ratio);
    }

    /** Of those, the dominant ones: round(n_keep·(1 − D)). */
    public static int dominant(int nKeep, double d) {
        return (int) TopK.roundHalfEven(nKeep * (1 - d));
    }

    /** Clusters for a window's S static tokens: round(S·r'). */
    public static int staticKeep(int s, double ratio) {
        return (int) TopK.roundHalfEven(s * ratio);
    }

    /** Inner merge: image tokens kept of n, round(n·(1 − r)). */
    public static int innerKeep(int n, double r) {
        return (int) TopK.roundHalfEven(n * (1 - r));
    }
}
