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
     * True when the reducer works in the vision tower's space, before the projector (VisionZip on
     * CLIP: the tokens are {@code hidden_states[-2]} rows with CLS, and the pipeline projects
     * the output). False: after projector and pooling, in the LLM embedding space.
     */
    default boolean beforeProjector() {
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
