package dev.jlava.reduce;

/**
 * The values behind {@link VisionSignal}, null when not computed.
 *
 * @param tokenScores [frames][tokens]
 * @param keyMetric   [frames][tokens][head_dim]
 */
public record VisionSignals(float[][] tokenScores, float[][][] keyMetric) {
    public static final VisionSignals NONE = new VisionSignals(null, null);

    public float[][] requireTokenScores(String who) {
        if (tokenScores == null) throw new IllegalArgumentException(who + " needs the vision tower's per-token scores (VisionSignal.TOKEN_SCORES)");
        return tokenScores;
    }

    public float[][][] requireKeyMetric(String who) {
        if (keyMetric == null) throw new IllegalArgumentException(who + " needs the vision tower's key metric (VisionSignal.KEY_METRIC)");
        return keyMetric;
    }
}
