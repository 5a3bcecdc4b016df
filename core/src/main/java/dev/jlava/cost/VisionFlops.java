package dev.jlava.cost;

import dev.jlava.vision.VisionConfig;

/** FLOPs of the vision tower and projector (multiply-add = 2 FLOPs), for the cost report. */
public final class VisionFlops {
    private VisionFlops() {}

    /** One image through patch embedding and the layers the features need (layersToRun). */
    public static double towerPerImage(VisionConfig c) {
        double t = c.tokens(), d = c.hidden(), f = c.intermediate();
        double patch = 2.0 * c.patches() * c.channels() * c.patchSize() * c.patchSize() * d;
        double perLayer = 2 * t * (4 * d * d + 2 * d * f) + 2 * 2 * t * t * d;
        return patch + c.layersToRun() * perLayer;
    }

    /** The two projector layers on {@code rows} feature rows. */
    public static double projector(VisionConfig c, int rows, int textHidden) {
        return 2.0 * rows * ((double) c.featureDim() * textHidden + (double) textHidden * textHidden);
    }
}
