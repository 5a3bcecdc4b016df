package dev.jlava.io;

import dev.jlava.tensor.Tensor;
import java.nio.file.Path;
import java.util.Set;

/** Named tensors of one checkpoint (one or more files), memory-mapped; closing unmaps them. */
public interface WeightStore extends AutoCloseable {
    Set<String> names();

    boolean has(String name);

    /** The tensor, or a {@link ModelFileException} naming the missing tensor. */
    Tensor get(String name);

    /** The file a tensor lives in (for error messages). */
    Path fileOf(String name);

    @Override
    void close();
}
