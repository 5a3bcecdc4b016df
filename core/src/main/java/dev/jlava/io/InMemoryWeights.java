package dev.jlava.io;

import dev.jlava.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Tensors held in memory (random models for the demo and benchmarks), under checkpoint names. */
public final class InMemoryWeights implements WeightStore {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Path label;

    public InMemoryWeights(String label) {
        this.label = Path.of("<" + label + ">");
    }

    public InMemoryWeights put(Tensor t) {
        tensors.put(t.name(), t);
        return this;
    }

    @Override public Set<String> names() { return tensors.keySet(); }

    @Override public boolean has(String name) { return tensors.containsKey(name); }

    @Override
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFileException(label, "missing tensor '" + name + "'");
        return t;
    }

    @Override public Path fileOf(String name) { return label; }

    @Override public void close() { }
}
