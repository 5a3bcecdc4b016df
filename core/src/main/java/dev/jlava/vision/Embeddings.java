package dev.jlava.vision;

/** The tower's input sequence: image to {@code hidden_states[0]}. */
sealed interface Embeddings permits SiglipEmbeddings, ClipEmbeddings {
    /** Writes [n][tokens][hidden] into x (from index 0) for the n frames starting at {@code first}. */
    void embed(float[] pixels, int first, int n, float[] x);
}
