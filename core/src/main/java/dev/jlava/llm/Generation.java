package dev.jlava.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * The generation loop: prefill the prompt (matrix-matrix), then one token per step
 * (matrix-vector) until max tokens or an end-of-generation token. Reports time to first token
 * and tokens per second. Stage-3 reduction (cache eviction while decoding) plugs in as a
 * {@link DecodeHook}.
 */
public final class Generation {
    /** Supplies the options of decode step t (t = 1 for the first token fed after the prompt). */
    public interface DecodeHook {
        Decoder.Options optionsForStep(int step);

        /** Called after prefill (step 0) and after every decode step, e.g. to account KV-cache bytes. */
        default void afterStep(int step, KvCache cache) { }

        DecodeHook NONE = step -> Decoder.Options.LAST_LOGITS;
    }

    public record Settings(int maxTokens, Sampler sampler, Set<Integer> stopIds, DecodeHook decodeHook) {
        public Settings {
            if (maxTokens < 0) throw new IllegalArgumentException("max tokens must be >= 0, got " + maxTokens);
        }
    }

    /**
     * @param generated     ids produced (the stop token included if one ended generation)
     * @param firstLogits   the logits that chose the first generated token
     * @param prefillNanos  time of the prompt's forward pass (= time to first token after embedding)
     * @param decodeNanos   time of all decode steps
     * @param decodeSteps   number of forward passes after the prompt
     */
    public record Output(int[] generated, float[] firstLogits, long prefillNanos, long decodeNanos, int decodeSteps,
                         int promptRows, KvCache cache) {
        public double prefillTokensPerSecond() { return promptRows / (prefillNanos / 1e9); }

        public double decodeTokensPerSecond() { return decodeSteps == 0 ? 0 : decodeSteps / (decodeNanos / 1e9); }
    }

    private Generation() {}

    /**
     * Runs a prompt given as input rows (token embeddings, possibly with visual rows spliced in)
     * at the given positions, then generates.
     */
    public static Output run(Decoder dec, float[] input, int n, int[] positions, Decoder.Options prefillOptions,
                             Settings s, IntConsumer onToken) {
        KvCache cache = dec.newCache();
        int vocab = dec.config().vocab();
        long t0 = System.nanoTime();
        Decoder.Result r = dec.forward(input, n, positions, cache, prefillOptions);
        long t1 = System.nanoTime();
        float[] logits = r.lastLogits(vocab);
        float[] first = logits.clone();
        s.decodeHook().afterStep(0, cache);
        List<Integer> out = new ArrayList<>();
        int nextPos = positions[n - 1] + 1;
        int steps = 0;
        while (out.size() < s.maxTokens()) {
            int tok = s.sampler().sample(logits);
            out.add(tok);
            if (onToken != null) onToken.accept(tok);
            if (s.stopIds().contains(tok) || out.size() == s.maxTokens()) break;
            steps++;
            Decoder.Result step = dec.forward(new int[] {tok}, new int[] {nextPos++}, cache, s.decodeHook().optionsForStep(steps));
            logits = step.logits();
            s.decodeHook().afterStep(steps, cache);
        }
        long t2 = System.nanoTime();
        return new Output(out.stream().mapToInt(Integer::intValue).toArray(), first, t1 - t0, t2 - t1, steps, n, cache);
    }

    /** Convenience: a prompt of token ids at positions 0..n-1. */
    public static Output run(Decoder dec, int[] promptIds, Decoder.Options prefillOptions, Settings s, IntConsumer onToken) {
        int[] pos = new int[promptIds.length];
        for (int i = 0; i < pos.length; i++) pos[i] = i;
        return run(dec, dec.embed(promptIds), promptIds.length, pos, prefillOptions, s, onToken);
    }
}
