package dev.jlava.reduce.holitom;

import dev.jlava.reduce.TemporalWindow;

/**
 * HoliTom spec §6 (official {@code get_static_dynamic_features}): inside a window [s, e] of two
 * or more frames, the static positions S(s,e) become one token each, the mean over all the
 * window's frames (not the first frame); every frame keeps its other (dynamic) tokens with their
 * attention scores. A one-frame window has no static tokens.
 */
public final class StaticDynamicSplit {
    private StaticDynamicSplit() {}

    /**
     * @param staticPos   ascending static positions
     * @param staticFeat  [S][C] window means of the static tokens
     * @param dynamicPos  ascending dynamic positions (the same in every frame of the window)
     * @param dynamicFeat [W][L][C] per frame of the window
     * @param dynamicAttn [W][L]
     */
    public record WindowSplit(TemporalWindow window, int[] staticPos, float[][] staticFeat, int[] dynamicPos,
                              float[][][] dynamicFeat, float[][] dynamicAttn) {}

    public static WindowSplit split(float[][][] x, float[][] attn, float[][] sim, double tau, TemporalWindow w) {
        int n = x[0].length;
        boolean[] mask = TemporalSegmenter.staticMask(sim, n, tau, w);
        int s = 0;
        for (boolean b : mask) if (b) s++;
        int[] staticPos = new int[s];
        int[] dynamicPos = new int[n - s];
        for (int k = 0, a = 0, b = 0; k < n; k++) {
            if (mask[k]) staticPos[a++] = k;
            else dynamicPos[b++] = k;
        }
        int c = x[0][0].length;
        float[][] staticFeat = new float[s][c];
        double[] acc = new double[c];
        for (int i = 0; i < s; i++) {
            java.util.Arrays.fill(acc, 0);
            for (int t = w.start(); t <= w.end(); t++) {
                float[] v = x[t][staticPos[i]];
                for (int k = 0; k < c; k++) acc[k] += v[k];
            }
            for (int k = 0; k < c; k++) staticFeat[i][k] = (float) (acc[k] / w.length());
        }
        float[][][] dynFeat = new float[w.length()][dynamicPos.length][];
        float[][] dynAttn = new float[w.length()][dynamicPos.length];
        for (int t = w.start(); t <= w.end(); t++) {
            for (int i = 0; i < dynamicPos.length; i++) {
                dynFeat[t - w.start()][i] = x[t][dynamicPos[i]];
                dynAttn[t - w.start()][i] = attn[t][dynamicPos[i]];
            }
        }
        return new WindowSplit(w, staticPos, staticFeat, dynamicPos, dynFeat, dynAttn);
    }
}
