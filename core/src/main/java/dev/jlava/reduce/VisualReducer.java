package dev.jlava.reduce;

import java.util.Set;

/**
 * Stage 1: reduces the visual tokens before the decoder (HoliTom outer, VisionZip).
 *
 * <p>Contract: the input is the grid tokens only, frame-major and row-major, <b>without</b>
 * newline rows ({@link VisualTokens#ofFrames} / {@link VisualTokens#ofImageWithCls}); the output
 * is the final visual sequence, newline rows included as {@link VisualContext#newlineMode()}
 * says, ready to replace the placeholder. Positions in the decoder stay consecutive.
 */
public interface VisualReducer {
    /** The extra tower outputs {@link #reduce} reads from {@link VisualContext#signals()}. */
    Set<VisionSignal> signals();

    /**
     * True when, for this tower, the reducer works in the vision tower's space before the
     * projector: VisionZip on CLIP (LLaVA-1.5) takes the feature layer's rows <em>with</em> CLS
     * ({@link VisualTokens#ofImageWithCls}) and the pipeline projects its output. False (the
     * default, and VisionZip's SigLIP port): after projector and pooling, in the LLM embedding space.
     *
     * @param towerHasCls whether the vision tower has a class token (CLIP: yes, SigLIP: no)
     */
    default boolean beforeProjector(boolean towerHasCls) {
        return false;
    }

    VisualTokens reduce(VisualTokens grid, VisualContext context);

    /** The stage in plan syntax, e.g. {@code holitom(r=0.15,tau=0.8,...)}. */
    String describe();

    /** No reduction: only lays out the newline rows. */
    VisualReducer NONE = new VisualReducer() {
        @Override
        public Set<VisionSignal> signals() {
            return Set.of();
        }

        @Override
        public VisualTokens reduce(VisualTokens grid, VisualContext context) {
            return Newlines.layoutUnreduced(grid, context.imageNewline(), context.newlineMode());
        }

        @Override
        public String describe() {
            return "none";
        }
    };
}
