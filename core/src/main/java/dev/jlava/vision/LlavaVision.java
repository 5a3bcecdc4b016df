package dev.jlava.vision;

import dev.jlava.io.WeightStore;
import java.nio.file.Path;

/**
 * The vision half of a LLaVA checkpoint: config, tower and projector, loaded from the same
 * weight store as the text model (the caller owns and closes the store).
 */
public record LlavaVision(VisionConfig config, VisionTower tower, Projector projector) {

    /** Reads {@code config.json} and finds the tower/projector tensors under either naming layout. */
    public static LlavaVision load(Path configJson, WeightStore store) {
        VisionConfig c = VisionConfig.fromLlavaConfig(configJson);
        return new LlavaVision(c, VisionTower.load(c, store, LlavaTensorNames.towerPrefix(store)),
                Projector.load(c, store, LlavaTensorNames.projectorPrefix(store)));
    }

    /** The projected features [frames][featureTokens][text hidden] of a features-only tower output. */
    public float[] project(VisionOutput out) {
        if (out.dim() != projector.inFeatures()) {
            throw new IllegalArgumentException("features of width " + out.dim() + " but the projector takes " + projector.inFeatures());
        }
        return projector.forward(out.features(), out.frames() * out.tokens());
    }
}
