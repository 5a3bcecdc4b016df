package dev.jlava.vision;

import dev.jlava.io.ModelFileException;
import dev.jlava.io.WeightStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a LLaVA checkpoint keeps its vision tower and projector. The llava-hf hub files use
 * {@code vision_tower.vision_model.*} and {@code multi_modal_projector.*}; models saved by
 * transformers >= 4.52 use {@code model.vision_tower.vision_model.*} and {@code model.multi_modal_projector.*}.
 */
public final class LlavaTensorNames {
    private LlavaTensorNames() {}

    public static final List<String> TOWER_PREFIXES = List.of("vision_tower.vision_model.", "model.vision_tower.vision_model.");
    public static final List<String> PROJECTOR_PREFIXES = List.of("multi_modal_projector.", "model.multi_modal_projector.");

    /** The vision tower prefix present in the store. */
    public static String towerPrefix(WeightStore store) {
        return find(store, TOWER_PREFIXES, "embeddings.patch_embedding.weight", "vision tower");
    }

    /** The projector prefix present in the store. */
    public static String projectorPrefix(WeightStore store) {
        return find(store, PROJECTOR_PREFIXES, "linear_1.weight", "multi-modal projector");
    }

    private static String find(WeightStore store, List<String> prefixes, String probe, String what) {
        for (String p : prefixes) if (store.has(p + probe)) return p;
        Path file = store.names().isEmpty() ? Path.of("<empty checkpoint>") : store.fileOf(store.names().iterator().next());
        throw new ModelFileException(file, "no " + what + " found: none of the tensors "
                + prefixes.stream().map(p -> "'" + p + probe + "'").toList() + " exists");
    }
}
