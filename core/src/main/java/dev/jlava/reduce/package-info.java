/**
 * Visual-token reduction as three kinds of stage, composed by a {@link dev.jlava.reduce.ReductionPlan}
 * (parsed by {@link dev.jlava.reduce.ReductionPlanParser}).
 *
 * <h2>How a pipeline and the decoder use it</h2>
 * <ol>
 *   <li><b>Before the decoder.</b> Build the grid tokens without newlines
 *       ({@link dev.jlava.reduce.VisualTokens#ofFrames}: projected and pooled features for LLaVA-OV;
 *       {@link dev.jlava.reduce.VisualTokens#ofImageWithCls} for CLIP when
 *       {@code plan.outerOrNone().beforeProjector(true)}). Compute the tower signals the stage lists in
 *       {@link dev.jlava.reduce.VisualReducer#signals()}, pooled with
 *       {@link dev.jlava.reduce.SpatialPooling} like the features. Call
 *       {@code plan.outerOrNone().reduce(tokens, new VisualContext(signals, imageNewline, newlineMode))}:
 *       the result is the final visual block (newlines included) with provenance; it replaces the
 *       placeholder and gets consecutive positions.</li>
 *   <li><b>Prefill.</b> Before running layer l ≥ 1, for each stage in
 *       {@link dev.jlava.reduce.ReductionPlan#stagesBefore(int) plan.stagesBefore(l)}: give it a
 *       {@link dev.jlava.reduce.LayerState} (layer l−1's last-query attention row, head mean, softmax
 *       over all keys; the visual rows' indices, newline flags and, if
 *       {@link dev.jlava.reduce.LayerReducer#needsHidden()}, hidden rows) and apply the
 *       {@link dev.jlava.reduce.LayerDecision}: write the replacement rows, gather the kept rows and
 *       their position ids (original positions, with gaps). Layer l−1 must compute that attention row
 *       when {@link dev.jlava.reduce.ReductionPlan#needsAttentionAfter(int) needsAttentionAfter(l−1)}.</li>
 *   <li><b>Decoding.</b> Per step t = 1, 2, … and layer, after the new token's q/k/v: if the plan has a
 *       {@link dev.jlava.reduce.CacheReducer} and it {@code needsScores(...)}, compute the new query's
 *       head-mean softmax over every key the layer holds plus itself, pass the visual (non-newline)
 *       entries and their scores in a {@link dev.jlava.reduce.CacheState}, drop the returned entries
 *       from that layer's cache, then run the step's attention over what is left. Positions continue
 *       from the unreduced prompt length.</li>
 * </ol>
 *
 * <p>Every stage is a pure function of its inputs (VTA's ACCUMULATED mode keeps per-request sums;
 * call {@link dev.jlava.reduce.CacheReducer#reset()} per prompt).
 */
package dev.jlava.reduce;
