package dev.jlava.app;

import dev.jlava.llm.Sampler;
import picocli.CommandLine.Option;

/** Sampling flags shared by generate and run. */
final class SamplingOptions {
    @Option(names = "--greedy", description = "always take the most likely token (default)")
    boolean greedy;

    @Option(names = "--temperature", description = "sampling temperature (> 0 enables sampling)")
    Float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "keep the k most likely tokens (0 = all; default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "nucleus sampling mass (default ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--seed", defaultValue = "42", description = "random seed for sampling (default ${DEFAULT-VALUE})")
    long seed;

    Sampler sampler() {
        if (greedy && temperature != null && temperature > 0) throw new UserError("--greedy and --temperature > 0 contradict each other");
        if (temperature == null || temperature == 0f) return Sampler.greedy();
        return Sampler.of(temperature, topK, topP, seed);
    }
}
